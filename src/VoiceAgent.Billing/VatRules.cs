using System.Text.RegularExpressions;

namespace VoiceAgent.Billing;

public sealed record TaxTreatment(decimal RatePercent, TaxRule Rule, string? Note);

public enum TaxRule
{
    /// <summary>German tenant: 19 % German VAT.</summary>
    Domestic,

    /// <summary>EU tenant outside Germany with a well-formed VAT ID: 0 %, the customer owes the VAT.</summary>
    ReverseCharge,

    /// <summary>EU tenant outside Germany without a VAT ID: treated as a consumer, 19 % German VAT.</summary>
    EuWithoutVatId,

    /// <summary>EU tenant outside Germany whose VAT ID is malformed: like <see cref="EuWithoutVatId"/>.</summary>
    EuInvalidVatId,

    /// <summary>Switzerland and every other non-EU country: 0 %, not taxable in Germany.</summary>
    NotTaxableInGermany,
}

/// <summary>
/// Which VAT an invoice of the operator (a German company) carries. The VAT ID check is syntactic only (country prefix and
/// the per-country format VIES publishes); confirming the ID with the Federal Central Tax Office is not done here.
/// </summary>
public static class VatRules
{
    public const decimal GermanRatePercent = 19m;

    // EU member states (ISO codes) with the VAT ID format of each; Greece writes EL in VAT IDs.
    private static readonly Dictionary<string, (string Prefix, Regex Pattern)> Eu = new(StringComparer.Ordinal)
    {
        ["AT"] = ("AT", new(@"^U[0-9]{8}$")),
        ["BE"] = ("BE", new(@"^[01][0-9]{9}$")),
        ["BG"] = ("BG", new(@"^[0-9]{9,10}$")),
        ["CY"] = ("CY", new(@"^[0-9]{8}[A-Z]$")),
        ["CZ"] = ("CZ", new(@"^[0-9]{8,10}$")),
        ["DE"] = ("DE", new(@"^[0-9]{9}$")),
        ["DK"] = ("DK", new(@"^[0-9]{8}$")),
        ["EE"] = ("EE", new(@"^[0-9]{9}$")),
        ["ES"] = ("ES", new(@"^[A-Z0-9][0-9]{7}[A-Z0-9]$")),
        ["FI"] = ("FI", new(@"^[0-9]{8}$")),
        ["FR"] = ("FR", new(@"^[A-HJ-NP-Z0-9]{2}[0-9]{9}$")),
        ["GR"] = ("EL", new(@"^[0-9]{9}$")),
        ["HR"] = ("HR", new(@"^[0-9]{11}$")),
        ["HU"] = ("HU", new(@"^[0-9]{8}$")),
        ["IE"] = ("IE", new(@"^([0-9]{7}[A-W][A-IW]?|[0-9][A-Z+*][0-9]{5}[A-W])$")),
        ["IT"] = ("IT", new(@"^[0-9]{11}$")),
        ["LT"] = ("LT", new(@"^([0-9]{9}|[0-9]{12})$")),
        ["LU"] = ("LU", new(@"^[0-9]{8}$")),
        ["LV"] = ("LV", new(@"^[0-9]{11}$")),
        ["MT"] = ("MT", new(@"^[0-9]{8}$")),
        ["NL"] = ("NL", new(@"^[0-9]{9}B[0-9]{2}$")),
        ["PL"] = ("PL", new(@"^[0-9]{10}$")),
        ["PT"] = ("PT", new(@"^[0-9]{9}$")),
        ["RO"] = ("RO", new(@"^[0-9]{2,10}$")),
        ["SE"] = ("SE", new(@"^[0-9]{10}01$")),
        ["SI"] = ("SI", new(@"^[0-9]{8}$")),
        ["SK"] = ("SK", new(@"^[0-9]{10}$")),
    };

    public static IReadOnlyCollection<string> EuCountries => Eu.Keys;

    public static bool IsEu(string country) => Eu.ContainsKey(country);

    public static TaxTreatment For(string country, string? vatId)
    {
        if (country == "DE")
        {
            return new(GermanRatePercent, TaxRule.Domestic, null);
        }

        if (!IsEu(country))
        {
            return new(0m, TaxRule.NotTaxableInGermany, InvoiceTexts.NotTaxableNote);
        }

        if (string.IsNullOrWhiteSpace(vatId))
        {
            return new(GermanRatePercent, TaxRule.EuWithoutVatId, null);
        }

        return IsWellFormedVatId(country, vatId)
            ? new(0m, TaxRule.ReverseCharge, InvoiceTexts.ReverseChargeNote)
            : new(GermanRatePercent, TaxRule.EuInvalidVatId, null);
    }

    /// <summary>True when <paramref name="vatId"/> (spaces, dots and dashes ignored, any case) is an EU VAT ID of <paramref name="country"/>.</summary>
    public static bool IsWellFormedVatId(string country, string vatId)
    {
        if (!Eu.TryGetValue(country, out var format))
        {
            return false;
        }

        var compact = Compact(vatId);
        return compact.StartsWith(format.Prefix, StringComparison.Ordinal) && format.Pattern.IsMatch(compact[format.Prefix.Length..]);
    }

    public static string Compact(string vatId) =>
        new string(vatId.Where(c => !char.IsWhiteSpace(c) && c is not ('.' or '-')).ToArray()).ToUpperInvariant();
}
