using System.Globalization;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using VoiceAgent.Platform;

namespace VoiceAgent.Billing;

public sealed record BillingCaseError(string Code, IReadOnlyList<object> Args)
{
    public string Message => BillingTexts.Format(Code, [.. Args]);
}

public sealed record BillingCaseParseResult(BillingCase? Case, IReadOnlyList<BillingCaseError> Errors);

/// <summary>
/// Reads CASE.json (the <c>voiceagent billing preview</c> contract). Every field of the contract must be present —
/// <c>vatId</c> and <c>startDate</c> may be null — so a misspelt name is an error instead of a silently different invoice.
/// Unknown extra fields are ignored. All problems are reported at once, each with its JSON path.
/// </summary>
public static class BillingCaseJson
{
    /// <summary>Upper bound for cents, minutes and seconds: keeps every intermediate result far inside decimal's range.</summary>
    public const long MaxValue = 1_000_000_000;

    public static BillingCaseParseResult Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            return new(null, [new(BillingErrorCodes.InvalidJson, [(ex.LineNumber ?? 0) + 1, (ex.BytePositionInLine ?? 0) + 1])]);
        }

        using (document)
        {
            var reader = new Reader();
            var billingCase = reader.Case(document.RootElement);
            return reader.Errors.Count == 0 ? new(billingCase, []) : new(null, reader.Errors);
        }
    }

    /// <summary>An ISO 8601 point in time; without an offset it is read as local time in Europe/Berlin.</summary>
    public static Instant? ParseStart(string text)
    {
        if (OffsetDateTimePattern.ExtendedIso.Parse(text) is { Success: true } withOffset)
        {
            return withOffset.Value.ToInstant();
        }

        if (LocalDateTimePattern.ExtendedIso.Parse(text) is { Success: true } local)
        {
            return local.Value.InZoneLeniently(BusinessTime.Zone).ToInstant();
        }

        return null;
    }

    private sealed class Reader
    {
        public List<BillingCaseError> Errors { get; } = [];

        public BillingCase? Case(JsonElement root)
        {
            if (!IsObject(root, "CASE.json"))
            {
                return null;
            }

            var plan = Plan(root);
            var tenant = Tenant(root);
            var packages = List(root, "packages", Package);
            var usage = List(root, "usage", Usage);
            return plan is null || tenant is null || packages is null || usage is null ? null : new BillingCase(plan, tenant, packages, usage);
        }

        private BillingPlan? Plan(JsonElement root)
        {
            if (Property(root, "plan", "") is not { } plan || !IsObject(plan, "plan"))
            {
                return null;
            }

            var baseFee = WholeNumber(plan, "baseFeeCents", "plan");
            var includedBot = WholeNumber(plan, "includedBotMinutes", "plan");
            var includedForward = WholeNumber(plan, "includedForwardMinutes", "plan");
            var botRate = Number(plan, "botRateCents", "plan");
            var forwardRate = Number(plan, "forwardRateCents", "plan");
            BillingIncrement? increment = Text(plan, "increment", "plan") switch
            {
                null => null,
                "second" => BillingIncrement.Second,
                "minute" => BillingIncrement.Minute,
                _ => Fail<BillingIncrement>(BillingErrorCodes.NotAnIncrement, "plan.increment"),
            };
            return baseFee is null || includedBot is null || includedForward is null || botRate is null || forwardRate is null || increment is null
                ? null
                : new BillingPlan(baseFee.Value, (int)includedBot.Value, (int)includedForward.Value, botRate.Value, forwardRate.Value, increment.Value);
        }

        private BillingTenant? Tenant(JsonElement root)
        {
            if (Property(root, "tenant", "") is not { } tenant || !IsObject(tenant, "tenant"))
            {
                return null;
            }

            var country = Text(tenant, "country", "tenant")?.Trim().ToUpperInvariant();
            if (country is not null && !Iso3166.IsCountry(country))
            {
                country = FailRef<string>(BillingErrorCodes.NotACountry, "tenant.country");
            }

            var vatId = Optional(tenant, "vatId", "tenant", out var vatIdOk);
            var startText = Optional(tenant, "startDate", "tenant", out var startOk);
            LocalDate? startDate = null;
            if (startText is not null)
            {
                startDate = Date(startText, "tenant.startDate");
                startOk = startDate is not null;
            }

            return country is null || !vatIdOk || !startOk ? null : new BillingTenant(country, vatId, startDate);
        }

        private MinutePackage? Package(JsonElement package, string path)
        {
            var minutes = Number(package, "minutes", path);
            var remaining = Number(package, "remainingMinutes", path);
            var validUntil = Text(package, "validUntil", path) is { } text ? Date(text, path + ".validUntil") : null;
            if (minutes == 0m)
            {
                minutes = Fail<decimal>(BillingErrorCodes.NotPositive, path + ".minutes");
            }
            else if (remaining > minutes)
            {
                remaining = Fail<decimal>(BillingErrorCodes.RemainingExceedsMinutes, path + ".remainingMinutes");
            }

            return minutes is null || remaining is null || validUntil is null ? null : new MinutePackage(minutes.Value, remaining.Value, validUntil.Value);
        }

        private UsageEntry? Usage(JsonElement usage, string path)
        {
            UsageKind? kind = Text(usage, "kind", path) switch
            {
                null => null,
                "bot" => UsageKind.Bot,
                "forward" => UsageKind.Forward,
                _ => Fail<UsageKind>(BillingErrorCodes.NotAKind, path + ".kind"),
            };
            var start = Text(usage, "start", path) is { } text
                ? ParseStart(text) ?? Fail<Instant>(BillingErrorCodes.NotAnInstant, path + ".start")
                : null;
            var seconds = WholeNumber(usage, "seconds", path);
            return kind is null || start is null || seconds is null ? null : new UsageEntry(kind.Value, start.Value, (int)seconds.Value);
        }

        private List<T>? List<T>(JsonElement root, string name, Func<JsonElement, string, T?> item)
            where T : class
        {
            if (Property(root, name, "") is not { } array)
            {
                return null;
            }

            if (array.ValueKind != JsonValueKind.Array)
            {
                return FailRef<List<T>>(BillingErrorCodes.NotAnArray, name);
            }

            var items = new List<T>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"{name}[{index++}]";
                if (IsObject(element, path) && item(element, path) is { } parsed)
                {
                    items.Add(parsed);
                }
            }

            return items.Count == index ? items : null;
        }

        private JsonElement? Property(JsonElement parent, string name, string parentPath)
        {
            if (parent.TryGetProperty(name, out var value))
            {
                return value;
            }

            var path = parentPath == "" ? name : $"{parentPath}.{name}";
            return Fail<JsonElement>(BillingErrorCodes.Missing, path);
        }

        private bool IsObject(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            Fail<bool>(BillingErrorCodes.NotAnObject, path);
            return false;
        }

        private long? WholeNumber(JsonElement parent, string name, string parentPath) =>
            Number(parent, name, parentPath, wholeNumber: true) is { } value ? (long)value : null;

        private decimal? Number(JsonElement parent, string name, string parentPath, bool wholeNumber = false)
        {
            if (Property(parent, name, parentPath) is not { } element)
            {
                return null;
            }

            if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var value)
                && value is >= 0 and <= MaxValue && (!wholeNumber || decimal.IsInteger(value)))
            {
                return value;
            }

            return Fail<decimal>(wholeNumber ? BillingErrorCodes.NotAWholeNumber : BillingErrorCodes.NotANumber, $"{parentPath}.{name}", MaxValue.ToString(CultureInfo.InvariantCulture));
        }

        private string? Text(JsonElement parent, string name, string parentPath)
        {
            if (Property(parent, name, parentPath) is not { } element)
            {
                return null;
            }

            return element.ValueKind == JsonValueKind.String
                ? element.GetString()
                : FailRef<string>(BillingErrorCodes.NotAString, $"{parentPath}.{name}");
        }

        // A contract field that may be null; present reports whether it was there at all (and well-typed).
        private string? Optional(JsonElement parent, string name, string parentPath, out bool present)
        {
            present = false;
            if (Property(parent, name, parentPath) is not { } element)
            {
                return null;
            }

            if (element.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return FailRef<string>(BillingErrorCodes.NotAString, $"{parentPath}.{name}");
            }

            present = true;
            return element.ValueKind == JsonValueKind.Null || string.IsNullOrWhiteSpace(element.GetString()) ? null : element.GetString()!.Trim();
        }

        private LocalDate? Date(string text, string path) =>
            LocalDatePattern.Iso.Parse(text) is { Success: true } date ? date.Value : Fail<LocalDate>(BillingErrorCodes.NotADate, path);

        private T? Fail<T>(string code, string path, params object[] more)
            where T : struct
        {
            Errors.Add(new(code, [path, .. more]));
            return null;
        }

        private T? FailRef<T>(string code, string path)
            where T : class
        {
            Errors.Add(new(code, [path]));
            return null;
        }
    }
}
