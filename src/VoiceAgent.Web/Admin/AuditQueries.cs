using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Admin;

/// <summary>
/// The audit log's filter. <see cref="From"/> and <see cref="To"/> are business days (Europe/Berlin), both inclusive.
/// The same filter drives the grid and the CSV export, through the same query-string names.
/// </summary>
public sealed record AuditFilter(Guid? TenantId = null, string? Actor = null, string? Action = null, LocalDate? From = null, LocalDate? To = null)
{
    private static readonly LocalDatePattern Iso = LocalDatePattern.Iso;

    public static AuditFilter FromQuery(string? tenant, string? actor, string? action, string? from, string? to) => new(
        Guid.TryParse(tenant, out var t) ? t : null,
        string.IsNullOrWhiteSpace(actor) ? null : actor.Trim(),
        string.IsNullOrWhiteSpace(action) || action == TenantFilter.All ? null : action.Trim(),
        ParseDate(from),
        ParseDate(to));

    /// <summary>The query string that reproduces this filter (for links: the page's URL and the CSV export).</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        Add("tenant", TenantId?.ToString());
        Add("actor", Actor);
        Add("action", Action);
        Add("from", From is { } f ? Iso.Format(f) : null);
        Add("to", To is { } t ? Iso.Format(t) : null);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }
    }

    private static LocalDate? ParseDate(string? value) =>
        value is not null && Iso.Parse(value) is { Success: true } r ? r.Value : null;
}

public sealed record AuditRow(long Id, DateTimeOffset At, string? ActorEmail, string Action, Guid? TenantId, string? TenantName,
    string? Details, string? Reason);

public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, int Total);

/// <summary>The audit log for the super-admin: filtered in SQL, one count and one page.</summary>
public static class AuditQueries
{
    public const int MaxPageSize = 200;

    public static IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> entries, AuditFilter filter)
    {
        if (filter.TenantId is { } tenant)
        {
            entries = entries.Where(a => a.TenantId == tenant);
        }

        if (filter.Actor is { } actor)
        {
            var pattern = "%" + Like.Escape(actor) + "%";
            entries = entries.Where(a => a.ActorEmail != null && EF.Functions.ILike(a.ActorEmail, pattern, Like.EscapeCharacter));
        }

        if (filter.Action is { } action)
        {
            entries = entries.Where(a => a.Action == action);
        }

        if (filter.From is { } from)
        {
            var start = from.AtStartOfDayInZone(BusinessTime.Zone).ToDateTimeOffset().ToUniversalTime();
            entries = entries.Where(a => a.At >= start);
        }

        if (filter.To is { } to)
        {
            var end = to.PlusDays(1).AtStartOfDayInZone(BusinessTime.Zone).ToDateTimeOffset().ToUniversalTime();
            entries = entries.Where(a => a.At < end);
        }

        return entries;
    }

    private static IQueryable<AuditRow> Rows(VoiceAgentDb db, AuditFilter filter) =>
        from a in Apply(db.AuditEntries.AsNoTracking(), filter)
        orderby a.Id descending
        select new AuditRow(a.Id, a.At, a.ActorEmail, a.Action, a.TenantId,
            db.Tenants.Where(t => t.Id == a.TenantId).Select(t => t.CompanyName).FirstOrDefault(), a.Details, a.Reason);

    public static async Task<AuditPage> PageAsync(VoiceAgentDb db, AuditFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var total = await Apply(db.AuditEntries.AsNoTracking(), filter).CountAsync(ct);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var rows = await Rows(db, filter).Skip(Math.Max(page, 0) * pageSize).Take(pageSize).ToListAsync(ct);
        return new AuditPage(rows, total);
    }

    /// <summary>Every matching entry, newest first, streamed (the export holds no list in memory).</summary>
    public static IAsyncEnumerable<AuditRow> AllAsync(VoiceAgentDb db, AuditFilter filter) => Rows(db, filter).AsAsyncEnumerable();

    /// <summary>The actions that occur in the log, for the action filter.</summary>
    public static Task<List<string>> ActionsAsync(VoiceAgentDb db, CancellationToken ct) =>
        db.AuditEntries.AsNoTracking().Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(ct);

    /// <summary>Tenants whose name contains <paramref name="text"/>, for the tenant filter's autocomplete.</summary>
    public static Task<List<TenantOption>> TenantOptionsAsync(VoiceAgentDb db, string? text, CancellationToken ct)
    {
        var tenants = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var pattern = "%" + Like.Escape(text.Trim()) + "%";
            tenants = tenants.Where(t => EF.Functions.ILike(t.CompanyName, pattern, Like.EscapeCharacter));
        }

        return tenants.OrderBy(t => t.CompanyName).Take(20).Select(t => new TenantOption(t.Id, t.CompanyName)).ToListAsync(ct);
    }
}

public sealed record TenantOption(Guid Id, string Name)
{
    public override string ToString() => Name;
}

/// <summary>
/// The audit export for German Excel: UTF-8 with BOM, ';' between cells, every cell quoted, and cells that a spreadsheet
/// would run as a formula (starting with = + - @, tab or CR) prefixed with an apostrophe.
/// </summary>
public static class AuditCsv
{
    public const char Separator = ';';

    public static async Task WriteAsync(Stream output, IAsyncEnumerable<AuditRow> rows, Func<string, string> actionLabel, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(Line(AdminTexts.Get("Audit.Csv.When"), AdminTexts.Get("Audit.Csv.Actor"), AdminTexts.Get("Audit.Csv.Action"),
            AdminTexts.Get("Audit.Csv.Tenant"), AdminTexts.Get("Audit.Csv.Details"), AdminTexts.Get("Audit.Csv.Reason")));
        await foreach (var row in rows.WithCancellation(ct))
        {
            var at = TimeZoneInfo.ConvertTime(row.At, BusinessTime.ZoneInfo).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            await writer.WriteLineAsync(Line(at, row.ActorEmail, actionLabel(row.Action), row.TenantName ?? row.TenantId?.ToString(), row.Details, row.Reason));
        }

        await writer.FlushAsync(ct);
    }

    public static string Line(params string?[] cells) => string.Join(Separator, cells.Select(Cell));

    public static string Cell(string? value)
    {
        value ??= "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
