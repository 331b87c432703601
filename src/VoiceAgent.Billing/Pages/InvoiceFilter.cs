namespace VoiceAgent.Billing.Pages;

/// <summary>
/// The invoice grid's filters as they stand in the query string. "Alle" is the value <see cref="All"/>, never empty: an
/// empty value made MudSelect show no label and treat the filter as unset. Unknown values read as "Alle".
/// </summary>
public sealed record InvoiceFilter(string Period = InvoiceFilter.All, string Tenant = InvoiceFilter.All, string Status = InvoiceFilter.All)
{
    public const string All = "all";

    public static InvoiceFilter Unfiltered { get; } = new();

    public static InvoiceFilter FromQuery(string? period, string? tenant, string? status) => new(
        BillingPeriod.TryParse(period, out var p) ? p.ToString() : All,
        Guid.TryParse(tenant, out var t) ? t.ToString() : All,
        status is not null && InvoiceStatuses.All.Contains(status) ? status : All);

    public bool IsUnfiltered => this == Unfiltered;

    /// <summary>The query-string parameters; "Alle" leaves its parameter out of the address.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["period"] = Period == All ? null : Period,
        ["tenant"] = Tenant == All ? null : Tenant,
        ["status"] = Status == All ? null : Status,
    };

    public IQueryable<Invoice> Apply(IQueryable<Invoice> invoices)
    {
        if (BillingPeriod.TryParse(Period, out var period))
        {
            var column = period.ToColumn();
            invoices = invoices.Where(i => i.Period == column);
        }

        if (Guid.TryParse(Tenant, out var tenantId))
        {
            invoices = invoices.Where(i => i.TenantId == tenantId);
        }

        if (Status != All)
        {
            var status = Status;
            invoices = invoices.Where(i => i.Status == status);
        }

        return invoices;
    }
}
