using System.ComponentModel.DataAnnotations;
using VoiceAgent.Platform;

namespace VoiceAgent.Billing;

public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>The operator who issues the invoices (§ 14 UStG: name, address, tax number or VAT ID).</summary>
    [Required]
    public IssuerOptions Issuer { get; set; } = new();

    /// <summary>Invoice numbers are <c>{prefix}{year}-{n:00000}</c>, gapless per calendar year of the invoice date.</summary>
    [RegularExpression("^[A-Z0-9-]{0,10}$")]
    public string NumberPrefix { get; set; } = "VA-";

    [Range(0, 90)]
    public int PaymentTermDays { get; set; } = 14;

    [Required]
    public SchedulerOptions Scheduler { get; set; } = new();

    [Required]
    public PdfOptions Pdf { get; set; } = new();
}

public sealed class IssuerOptions
{
    public string? Name { get; set; }
    public string? Street { get; set; }
    public string? PostalCode { get; set; }
    public string? City { get; set; }

    [RegularExpression("^[A-Z]{2}$")]
    public string Country { get; set; } = "DE";

    public string? TaxNumber { get; set; }
    public string? VatId { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? Website { get; set; }
    public string? Iban { get; set; }
    public string? Bic { get; set; }
    public string? BankName { get; set; }
    public string? ManagingDirector { get; set; }
    public string? RegisterCourt { get; set; }
    public string? RegisterNumber { get; set; }

    /// <summary>The fields § 14 UStG requires of the issuer that are missing (invoices cannot be finalized without them).</summary>
    public IReadOnlyList<string> MissingFields()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(Name)) missing.Add("Billing:Issuer:Name");
        if (string.IsNullOrWhiteSpace(Street)) missing.Add("Billing:Issuer:Street");
        if (string.IsNullOrWhiteSpace(PostalCode)) missing.Add("Billing:Issuer:PostalCode");
        if (string.IsNullOrWhiteSpace(City)) missing.Add("Billing:Issuer:City");
        if (string.IsNullOrWhiteSpace(TaxNumber) && string.IsNullOrWhiteSpace(VatId)) missing.Add("Billing:Issuer:TaxNumber|VatId");
        return missing;
    }
}

public sealed class SchedulerOptions
{
    /// <summary>Off: the monthly Hangfire job is removed (the super-admin can still run periods by hand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hangfire (standard, five-field) cron: 02:00 on the 1st of every month, in <see cref="TimeZone"/>.</summary>
    [Required]
    public string MonthlyCron { get; set; } = "0 2 1 * *";

    /// <summary>The billing time zone (the one invoices are calculated in).</summary>
    [Required]
    public string TimeZone { get; set; } = BusinessTime.ZoneId;

    /// <summary>The monthly job finalizes the invoices it creates (numbers, PDFs) and sends them to Lexoffice when configured.</summary>
    public bool FinalizeScheduledRuns { get; set; } = true;
}

public sealed class PdfOptions
{
    /// <summary>TrueType fonts for the PDFs: Liberation Sans from Debian's fonts-liberation (deploy/local installs it).</summary>
    [Required]
    public string FontDirectory { get; set; } = "/usr/share/fonts/truetype/liberation";
}
