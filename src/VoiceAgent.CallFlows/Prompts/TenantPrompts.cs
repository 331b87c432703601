using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.CallFlows.Prompts;

/// <summary>A ready-made system prompt for one industry (texts from PromptTexts.resx).</summary>
public sealed record PromptTemplate(string Key, string Label, string Text);

/// <summary>
/// The tenant's system prompt: the base of what the conversation model is told in every call (the Ask node's own prompt
/// follows it). Required in the set-up wizard, 40–4,000 characters as a person counts them, started from an industry
/// template, with placeholders for tenant facts that are filled when a call runs. Every save is audited.
/// </summary>
public sealed class TenantPrompts(VoiceAgentDb db, TimeProvider time) : ITenantPromptText
{
    public const int MinLength = 40;
    public const int MaxLength = 4000;
    public const string SavedAudit = "prompt.saved";

    public const string NamePlaceholder = "tenant.name";
    public const string OpeningHoursPlaceholder = "tenant.opening_hours";
    public const string AddressPlaceholder = "tenant.address";
    public const string CityPlaceholder = "tenant.city";
    public const string PhonePlaceholder = "tenant.phone";

    /// <summary>The general template, for industries no other template fits.</summary>
    public const string GeneralTemplate = "allgemein";

    /// <summary>What a prompt may name as <c>{{ … }}</c>: facts every approved tenant has.</summary>
    public static IReadOnlyList<string> Placeholders { get; } =
        [NamePlaceholder, OpeningHoursPlaceholder, AddressPlaceholder, CityPlaceholder, PhonePlaceholder];

    // Checked in order: the first template whose word occurs in the tenant's free-text industry wins ("Physiotherapiepraxis"
    // is physiotherapy, not a doctor's practice).
    private static readonly (string Key, string[] Words)[] IndustryWords =
    [
        ("physiotherapie", ["physio", "ergotherap", "logopäd", "osteopath", "massage", "krankengymnast"]),
        ("praxis", ["arzt", "ärzt", "zahn", "dental", "medizin", "praxis", "doctor", "medical", "clinic", "klinik"]),
        ("salon", ["friseur", "frisör", "coiffeur", "kosmetik", "beauty", "nagel", "barber", "hair", "salon", "haar"]),
        ("handwerk", ["handwerk", "werkstatt", "kfz", "elektri", "sanitär", "heizung", "maler", "tischler", "schreiner", "dachdeck",
            "install", "bau", "trade", "repair", "garage"]),
        ("kanzlei", ["kanzlei", "anwalt", "anwält", "recht", "steuer", "notar", "berat", "law", "tax", "consult"]),
    ];

    private static readonly string[] TemplateKeys = ["praxis", "physiotherapie", "salon", "handwerk", "kanzlei", GeneralTemplate];

    public IReadOnlyList<PromptTemplate> Templates(string language)
    {
        var culture = PromptTexts.Culture(language);
        return TemplateKeys.Select(key => Template(key, culture)).ToList();
    }

    /// <summary>The template for the tenant's industry as entered at registration ("Zahnarztpraxis", "Friseursalon" …), else the general one.</summary>
    public PromptTemplate SuggestedFor(string? tenantIndustry, string language)
    {
        var industry = (tenantIndustry ?? "").Trim().ToLowerInvariant();
        var key = industry.Length == 0 ? null : IndustryWords.FirstOrDefault(i => i.Words.Any(w => industry.Contains(w, StringComparison.Ordinal))).Key;
        return Template(key ?? GeneralTemplate, PromptTexts.Culture(language));
    }

    /// <summary>What is wrong with a prompt (German messages in a German portal), empty when it may be stored.</summary>
    public IReadOnlyList<string> Validate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [PromptTexts.Get("Validation.Required")];
        }

        var errors = new List<string>();
        var length = Length(Normalize(text));
        if (length < MinLength)
        {
            errors.Add(PromptTexts.Format("Validation.TooShort", MinLength, length));
        }
        else if (length > MaxLength)
        {
            errors.Add(PromptTexts.Format("Validation.TooLong", MaxLength.ToString("N0", CultureInfo.CurrentCulture), length.ToString("N0", CultureInfo.CurrentCulture)));
        }

        var parsed = Parse(text);
        if (parsed.Unclosed)
        {
            errors.Add(PromptTexts.Get("Validation.UnclosedPlaceholder"));
        }

        if (parsed.Unopened)
        {
            errors.Add(PromptTexts.Get("Validation.UnopenedPlaceholder"));
        }

        var allowed = string.Join(", ", Placeholders.Select(p => "{{ " + p + " }}"));
        errors.AddRange(parsed.Names.Where(n => !Placeholders.Contains(n)).Distinct(StringComparer.Ordinal)
            .Select(n => PromptTexts.Format("Validation.UnknownPlaceholder", "{{ " + n + " }}", allowed)));
        return errors;
    }

    public async Task<string?> GetAsync(Guid tenantId, CancellationToken ct) =>
        await db.TenantPrompts.AsNoTracking().Where(p => p.TenantId == tenantId).Select(p => p.Text).SingleOrDefaultAsync(ct);

    /// <summary>Stores the prompt (line ends and outer blanks normalized); nothing is stored when it is invalid.</summary>
    /// <param name="templateKey">The template it was started from, or null.</param>
    /// <returns>The stored text; Invalid("prompt" / "templateKey", …); NotFound for a tenant outside the caller's scope.</returns>
    public async Task<Outcome<string>> SaveAsync(Guid tenantId, string? text, string? templateKey, Actor actor, CancellationToken ct)
    {
        var errors = Validate(text);
        if (errors.Count > 0)
        {
            return Outcome<string>.Invalid(new Dictionary<string, string[]> { ["prompt"] = [.. errors] });
        }

        templateKey = string.IsNullOrWhiteSpace(templateKey) ? null : templateKey.Trim();
        if (templateKey is not null && !TemplateKeys.Contains(templateKey))
        {
            return Outcome<string>.Invalid("templateKey", PromptTexts.Get("Validation.UnknownTemplate"));
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            return Outcome<string>.NotFound();
        }

        var normalized = Normalize(text!);
        var now = time.GetUtcNow();
        var prompt = await db.TenantPrompts.SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
        if (prompt is null)
        {
            prompt = new TenantPrompt { TenantId = tenantId, Text = normalized };
            db.TenantPrompts.Add(prompt);
        }

        prompt.Text = normalized;
        prompt.TemplateKey = templateKey;
        prompt.UpdatedAt = now;
        prompt.UpdatedBy = actor.Email;
        db.Record(time, actor, SavedAudit, tenantId,
            $"{Length(normalized)} characters, template {templateKey ?? "none"}: {(normalized.Length > 300 ? normalized[..300] + "…" : normalized)}");
        await db.SaveChangesAsync(ct);
        return Outcome<string>.Ok(normalized);
    }

    /// <summary>The stored prompt with its placeholders filled from the tenant's facts (German: the language of the calls), or null.</summary>
    public async Task<string?> RenderAsync(Guid tenantId, CancellationToken ct)
    {
        var text = await GetAsync(tenantId, ct);
        if (text is null)
        {
            return null;
        }

        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.CompanyName, t.Street, t.HouseNumber, t.PostalCode, t.City, t.Phone }).SingleOrDefaultAsync(ct);
        if (tenant is null)
        {
            return null;
        }

        var hours = await db.CalendarSettings.AsNoTracking().Where(s => s.TenantId == tenantId).Select(s => s.BusinessHours).SingleOrDefaultAsync(ct);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [NamePlaceholder] = tenant.CompanyName,
            [OpeningHoursPlaceholder] = OpeningHours(BusinessHours.Parse(hours ?? BusinessHours.DefaultJson), PromptTexts.Culture("de")),
            [AddressPlaceholder] = $"{tenant.Street} {tenant.HouseNumber}, {tenant.PostalCode} {tenant.City}",
            [CityPlaceholder] = tenant.City,
            [PhonePlaceholder] = tenant.Phone,
        };
        return Fill(text, values);
    }

    /// <summary>The AI disclosure (EU AI Act Art. 50) spoken first in every call; not part of any flow, so no flow can drop it.</summary>
    public static string Disclosure(string language, string tenantName)
    {
        var culture = PromptTexts.Culture(language);
        return string.Format(culture, PromptTexts.Get("Disclosure", culture), tenantName);
    }

    /// <summary>Opening hours as a sentence part: "Montag bis Freitag 9:00 bis 17:00 Uhr; Samstag 9:00 bis 12:00 Uhr".</summary>
    internal static string OpeningHours(BusinessHours hours, CultureInfo culture)
    {
        var groups = new List<(IsoDayOfWeek First, IsoDayOfWeek Last, string Times)>();
        for (var day = IsoDayOfWeek.Monday; day <= IsoDayOfWeek.Sunday; day++)
        {
            var intervals = hours.On(day);
            if (intervals.Count == 0)
            {
                continue;
            }

            var times = string.Join(PromptTexts.Get("OpeningHours.And", culture), intervals.Select(i => string.Format(culture,
                PromptTexts.Get("OpeningHours.Interval", culture), i.Open.ToString("H:mm", culture), i.Close.ToString("H:mm", culture))));
            if (groups.Count > 0 && groups[^1].Times == times && groups[^1].Last == day - 1)
            {
                groups[^1] = groups[^1] with { Last = day };
            }
            else
            {
                groups.Add((day, day, times));
            }
        }

        if (groups.Count == 0)
        {
            return PromptTexts.Get("OpeningHours.Closed", culture);
        }

        string DayName(IsoDayOfWeek d) => culture.DateTimeFormat.GetDayName(NodaTime.Utility.BclConversions.ToDayOfWeek(d));
        return string.Join(PromptTexts.Get("OpeningHours.Separator", culture), groups.Select(g =>
        {
            var days = (g.Last - g.First) switch
            {
                0 => DayName(g.First),
                1 => string.Format(culture, PromptTexts.Get("OpeningHours.Pair", culture), DayName(g.First), DayName(g.Last)),
                _ => string.Format(culture, PromptTexts.Get("OpeningHours.Range", culture), DayName(g.First), DayName(g.Last)),
            };
            return days + " " + g.Times;
        }));
    }

    private static PromptTemplate Template(string key, CultureInfo culture) =>
        new(key, PromptTexts.Get($"Template.{key}.Label", culture), PromptTexts.Get($"Template.{key}.Text", culture));

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").Trim();

    /// <summary>Characters as a person counts them: "ä" written as a + combining mark, or an emoji, is one.</summary>
    private static int Length(string text) => new StringInfo(text).LengthInTextElements;

    private sealed record Parsed(List<string> Names, bool Unclosed, bool Unopened);

    private static Parsed Parse(string text)
    {
        var names = new List<string>();
        bool unclosed = false, unopened = false;
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            var close = text.IndexOf("}}", i, StringComparison.Ordinal);
            if (close >= 0 && (open < 0 || close < open))
            {
                unopened = true;
                i = close + 2;
                continue;
            }

            if (open < 0)
            {
                break;
            }

            var end = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = text.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (end < 0 || (nextOpen >= 0 && nextOpen < end))
            {
                unclosed = true;
                i = open + 2;
                continue;
            }

            names.Add(text[(open + 2)..end].Trim());
            i = end + 2;
        }

        return new Parsed(names, unclosed, unopened);
    }

    private static string Fill(string text, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(text.Length + 200);
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            var end = open < 0 ? -1 : text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (open < 0 || end < 0)
            {
                break;
            }

            result.Append(text, i, open - i);
            var name = text[(open + 2)..end].Trim();
            result.Append(values.TryGetValue(name, out var value) ? value : text[open..(end + 2)]);
            i = end + 2;
        }

        return result.Append(text, i, text.Length - i).ToString();
    }
}
