using System.Text.Json;
using System.Text.Json.Serialization;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Billing;

/// <summary>
/// Issuer or recipient as printed on an invoice. Stored with the invoice as JSON (a snapshot): a later change of the
/// operator's or the tenant's address does not change an invoice that was already issued.
/// </summary>
public sealed record InvoiceParty
{
    public required string Name { get; init; }
    public string? ContactPerson { get; init; }
    public required string Street { get; init; }
    public required string PostalCode { get; init; }
    public required string City { get; init; }
    public required string Country { get; init; }
    public string? TaxNumber { get; init; }
    public string? VatId { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Website { get; init; }
    public string? Iban { get; init; }
    public string? Bic { get; init; }
    public string? BankName { get; init; }
    public string? ManagingDirector { get; init; }
    public string? RegisterCourt { get; init; }
    public string? RegisterNumber { get; init; }

    /// <summary>The tenant's id, printed as customer number.</summary>
    public string? CustomerNumber { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static InvoiceParty FromJson(string json) => JsonSerializer.Deserialize<InvoiceParty>(json, Json)!;

    public static InvoiceParty Issuer(IssuerOptions o) => new()
    {
        Name = o.Name ?? "",
        Street = o.Street ?? "",
        PostalCode = o.PostalCode ?? "",
        City = o.City ?? "",
        Country = o.Country,
        TaxNumber = Blank(o.TaxNumber),
        VatId = Blank(o.VatId),
        Email = Blank(o.Email),
        Phone = Blank(o.Phone),
        Website = Blank(o.Website),
        Iban = Blank(o.Iban),
        Bic = Blank(o.Bic),
        BankName = Blank(o.BankName),
        ManagingDirector = Blank(o.ManagingDirector),
        RegisterCourt = Blank(o.RegisterCourt),
        RegisterNumber = Blank(o.RegisterNumber),
    };

    public static InvoiceParty Recipient(Tenant t) => new()
    {
        Name = t.CompanyName,
        ContactPerson = t.ContactPerson,
        Street = $"{t.Street} {t.HouseNumber}".Trim(),
        PostalCode = t.PostalCode,
        City = t.City,
        Country = t.Country,
        TaxNumber = Blank(t.TaxNumber),
        VatId = Blank(t.VatId),
        Email = t.Email,
        CustomerNumber = CustomerNumberOf(t.Id),
    };

    /// <summary>A short, stable customer number from the tenant id (first 8 hex digits, upper case).</summary>
    public static string CustomerNumberOf(Guid tenantId) => "K-" + tenantId.ToString("N")[..8].ToUpperInvariant();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
