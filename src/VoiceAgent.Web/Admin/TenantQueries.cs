using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Admin;

/// <summary>The tenants grid's filter; a null part filters nothing.</summary>
public sealed record TenantFilter(TenantStatus? Status = null, string? Country = null, string? Text = null)
{
    /// <summary>The value of the "Alle" entries in the filter selects: non-empty, so a select can tell it from "not chosen".</summary>
    public const string All = "all";

    /// <summary>From the query string (<c>?status=pending&amp;country=DE&amp;q=…</c>); unknown values filter nothing.</summary>
    public static TenantFilter FromQuery(string? status, string? country, string? text) => new(
        TenantStatusNames.TryParseApi(status, out var s) ? s : null,
        country is not null && Countries.Supported.Contains(country.ToUpperInvariant()) ? country.ToUpperInvariant() : null,
        string.IsNullOrWhiteSpace(text) ? null : text.Trim());
}

public sealed record TenantRow(Guid Id, string CompanyName, string ContactPerson, string Email, string PostalCode, string City,
    string Country, TenantStatus Status, DateTimeOffset CreatedAt);

public sealed record TenantPage(IReadOnlyList<TenantRow> Rows, int Total);

public sealed record TenantUsage(int BotSeconds, int ForwardSeconds)
{
    public int BotMinutes => (BotSeconds + 59) / 60;

    public int ForwardMinutes => (ForwardSeconds + 59) / 60;
}

/// <summary>The super-admin's tenant queries: one count and one page in SQL, never the whole table.</summary>
public static class TenantQueries
{
    public const int MaxPageSize = 100;

    public static IQueryable<Tenant> Apply(IQueryable<Tenant> tenants, TenantFilter filter)
    {
        if (filter.Status is { } status)
        {
            tenants = tenants.Where(t => t.Status == status);
        }

        if (filter.Country is { } country)
        {
            tenants = tenants.Where(t => t.Country == country);
        }

        if (filter.Text is { } text)
        {
            var pattern = "%" + Like.Escape(text) + "%";
            tenants = tenants.Where(t => EF.Functions.ILike(t.CompanyName, pattern, Like.EscapeCharacter)
                || EF.Functions.ILike(t.ContactPerson, pattern, Like.EscapeCharacter)
                || EF.Functions.ILike(t.Email, pattern, Like.EscapeCharacter)
                || EF.Functions.ILike(t.City, pattern, Like.EscapeCharacter));
        }

        return tenants;
    }

    /// <summary>A page of tenants; <paramref name="sortBy"/> is a <see cref="TenantRow"/> property name (else newest first).</summary>
    public static async Task<TenantPage> PageAsync(VoiceAgentDb db, TenantFilter filter, string? sortBy, bool descending, int page,
        int pageSize, CancellationToken ct)
    {
        var query = Apply(db.Tenants.AsNoTracking(), filter);
        var total = await query.CountAsync(ct);
        IOrderedQueryable<Tenant> ordered = (sortBy, descending) switch
        {
            (nameof(TenantRow.CompanyName), false) => query.OrderBy(t => t.CompanyName),
            (nameof(TenantRow.CompanyName), true) => query.OrderByDescending(t => t.CompanyName),
            (nameof(TenantRow.ContactPerson), false) => query.OrderBy(t => t.ContactPerson),
            (nameof(TenantRow.ContactPerson), true) => query.OrderByDescending(t => t.ContactPerson),
            (nameof(TenantRow.City), false) => query.OrderBy(t => t.City),
            (nameof(TenantRow.City), true) => query.OrderByDescending(t => t.City),
            (nameof(TenantRow.Country), false) => query.OrderBy(t => t.Country),
            (nameof(TenantRow.Country), true) => query.OrderByDescending(t => t.Country),
            (nameof(TenantRow.Status), false) => query.OrderBy(t => t.Status),
            (nameof(TenantRow.Status), true) => query.OrderByDescending(t => t.Status),
            (nameof(TenantRow.CreatedAt), false) => query.OrderBy(t => t.CreatedAt),
            _ => query.OrderByDescending(t => t.CreatedAt),
        };
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var rows = await ordered.ThenBy(t => t.Id)
            .Skip(Math.Max(page, 0) * pageSize).Take(pageSize)
            .Select(t => new TenantRow(t.Id, t.CompanyName, t.ContactPerson, t.Email, t.PostalCode, t.City, t.Country, t.Status, t.CreatedAt))
            .ToListAsync(ct);
        return new TenantPage(rows, total);
    }

    /// <summary>The tenant's bot and forward seconds in the business month (Europe/Berlin) that contains <paramref name="now"/>.</summary>
    public static async Task<TenantUsage> UsageThisMonthAsync(VoiceAgentDb db, Guid tenantId, DateTimeOffset now, CancellationToken ct)
    {
        var (start, end) = MonthOf(now);
        var sums = await db.UsageRecords.AsNoTracking()
            .Where(u => u.TenantId == tenantId && u.StartedAt >= start && u.StartedAt < end)
            .GroupBy(u => u.Kind)
            .Select(g => new { Kind = g.Key, Seconds = g.Sum(u => u.Seconds) })
            .ToListAsync(ct);
        return new TenantUsage(
            sums.Where(s => s.Kind == UsageKinds.Bot).Sum(s => s.Seconds),
            sums.Where(s => s.Kind == UsageKinds.Forward).Sum(s => s.Seconds));
    }

    /// <summary>The Berlin calendar month around <paramref name="now"/> as UTC instants [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) MonthOf(DateTimeOffset now)
    {
        var local = Instant.FromDateTimeOffset(now).InZone(BusinessTime.Zone).Date;
        var first = new LocalDate(local.Year, local.Month, 1);
        return (first.AtStartOfDayInZone(BusinessTime.Zone).ToDateTimeOffset().ToUniversalTime(),
            first.PlusMonths(1).AtStartOfDayInZone(BusinessTime.Zone).ToDateTimeOffset().ToUniversalTime());
    }

    public static Task<List<AuditEntry>> AuditTrailAsync(VoiceAgentDb db, Guid tenantId, int take, CancellationToken ct) =>
        db.AuditEntries.AsNoTracking().Where(a => a.TenantId == tenantId).OrderByDescending(a => a.Id).Take(take).ToListAsync(ct);
}

/// <summary>LIKE patterns from user text: the wildcards the user typed are literal.</summary>
public static class Like
{
    public const string EscapeCharacter = "\\";

    public static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
