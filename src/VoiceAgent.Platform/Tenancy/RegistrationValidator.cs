using System.Net.Mail;
using System.Text.RegularExpressions;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Tenancy;

/// <summary>
/// Server-side validation of a registration, per step and per country. Returns field errors keyed by the JSON field
/// name (camelCase) and a normalized copy of the input (trimmed, VAT ID canonical, website with scheme).
/// </summary>
public static partial class RegistrationValidator
{
    public const int MinPasswordLength = 10;

    public static readonly List<string[]> StepFields =
    [
        ["companyName", "contactPerson", "email", "password"],
        ["street", "houseNumber", "postalCode", "city", "country", "phone"],
        ["taxNumber", "vatId", "website", "industry"],
    ];

    public static Dictionary<string, string[]> Validate(RegistrationRequest input, out RegistrationRequest normalized, int? step = null)
    {
        var errors = new Dictionary<string, List<string>>();
        var n = Normalize(input);
        normalized = n;

        void Add(string field, string key, params object?[] args)
        {
            if (step is { } s && !StepFields[s - 1].Contains(field))
            {
                return;
            }

            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(Texts.Format(key, args));
        }

        Required(n.CompanyName, "companyName", 200);
        Required(n.ContactPerson, "contactPerson", 200);
        if (Required(n.Email, "email", 256) && !IsEmail(n.Email!))
        {
            Add("email", "Validation.Email");
        }

        if (string.IsNullOrEmpty(input.Password))
        {
            Add("password", "Validation.Required");
        }
        else if (input.Password.Length < MinPasswordLength || input.Password.Length > 128
                 || !input.Password.Any(char.IsLetter) || !input.Password.Any(char.IsDigit))
        {
            Add("password", "Validation.Password", MinPasswordLength);
        }

        Required(n.Street, "street", 200);
        if (Required(n.HouseNumber, "houseNumber", 20) && !HouseNumberPattern().IsMatch(n.HouseNumber!))
        {
            Add("houseNumber", "Validation.HouseNumber");
        }

        Required(n.City, "city", 100);
        var countryOk = false;
        if (Required(n.Country, "country", 2))
        {
            countryOk = Countries.Supported.Contains(n.Country!);
            if (!countryOk)
            {
                Add("country", "Validation.Country");
            }
        }

        if (Required(n.PostalCode, "postalCode", 10) && countryOk && !IsPostalCode(n.Country!, n.PostalCode!))
        {
            Add("postalCode", "Validation.PostalCode." + n.Country);
        }

        if (Required(n.Phone, "phone", 32))
        {
            var digits = n.Phone!.Count(char.IsDigit);
            if (!PhonePattern().IsMatch(n.Phone!) || digits is < 6 or > 15)
            {
                Add("phone", "Validation.Phone");
            }
        }

        if (n.TaxNumber is not null)
        {
            var digits = n.TaxNumber.Count(char.IsDigit);
            if (!TaxNumberPattern().IsMatch(n.TaxNumber) || digits is < 8 or > 13)
            {
                Add("taxNumber", "Validation.TaxNumber");
            }
        }

        if (n.VatId is not null)
        {
            if (!countryOk)
            {
                if (!VatIdAnyPattern().IsMatch(n.VatId))
                {
                    Add("vatId", "Validation.VatId");
                }
            }
            else if (CanonicalVatId(n.Country!, n.VatId) is { } canonical)
            {
                n.VatId = canonical;
            }
            else
            {
                Add("vatId", "Validation.VatId." + n.Country);
            }
        }

        if (n.Website is not null)
        {
            var candidate = n.Website.Contains("://", StringComparison.Ordinal) ? n.Website : "https://" + n.Website;
            if (candidate.Length > 300 || !Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https") || !uri.Host.Contains('.'))
            {
                Add("website", "Validation.Website");
            }
            else
            {
                n.Website = candidate;
            }
        }

        if (n.Industry is { Length: > 100 })
        {
            Add("industry", "Validation.MaxLength", 100);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

        bool Required(string? value, string field, int maxLength)
        {
            if (string.IsNullOrEmpty(value))
            {
                Add(field, "Validation.Required");
                return false;
            }

            if (value.Length > maxLength)
            {
                Add(field, "Validation.MaxLength", maxLength);
                return false;
            }

            return true;
        }
    }

    public static bool IsPostalCode(string country, string postalCode) => country switch
    {
        "DE" => DePostalCode().IsMatch(postalCode),
        "AT" => AtPostalCode().IsMatch(postalCode),
        "CH" => ChPostalCode().IsMatch(postalCode),
        _ => false,
    };

    /// <summary>The canonical VAT ID for the country (DE123456789, ATU12345678, CHE-123.456.789 MWST), or null when malformed.</summary>
    public static string? CanonicalVatId(string country, string vatId)
    {
        var compact = new string(vatId.Where(c => !char.IsWhiteSpace(c) && c is not ('.' or '-')).ToArray()).ToUpperInvariant();
        switch (country)
        {
            case "DE" when DeVatId().IsMatch(compact):
            case "AT" when AtVatId().IsMatch(compact):
                return compact;
            case "CH":
                var m = ChVatId().Match(compact);
                if (!m.Success)
                {
                    return null;
                }

                var d = m.Groups["digits"].Value;
                var suffix = m.Groups["suffix"].Success ? m.Groups["suffix"].Value : "MWST";
                return $"CHE-{d[..3]}.{d[3..6]}.{d[6..]} {suffix}";
            default:
                return null;
        }
    }

    private static bool IsEmail(string email) =>
        EmailPattern().IsMatch(email) && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;

    private static RegistrationRequest Normalize(RegistrationRequest r) => new()
    {
        CompanyName = Clean(r.CompanyName),
        ContactPerson = Clean(r.ContactPerson),
        Email = Clean(r.Email)?.ToLowerInvariant(),
        Password = r.Password,
        Street = Clean(r.Street),
        HouseNumber = Clean(r.HouseNumber),
        PostalCode = Clean(r.PostalCode),
        City = Clean(r.City),
        Country = Clean(r.Country)?.ToUpperInvariant(),
        Phone = Clean(r.Phone),
        TaxNumber = Clean(r.TaxNumber),
        VatId = Clean(r.VatId)?.ToUpperInvariant(),
        Website = Clean(r.Website),
        Industry = Clean(r.Industry),
    };

    private static string? Clean(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = WhitespaceRun().Replace(value, " ").Trim();
        return trimmed.Length == 0 ? null : trimmed;
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^[0-9]{1,5}[A-Za-z0-9 /\-.]{0,15}$")]
    private static partial Regex HouseNumberPattern();

    [GeneratedRegex(@"^\+?[0-9 ()/\-.]+$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[0-9][0-9 /\-]*[0-9]$")]
    private static partial Regex TaxNumberPattern();

    [GeneratedRegex(@"^[0-9]{5}$")]
    private static partial Regex DePostalCode();

    [GeneratedRegex(@"^[1-9][0-9]{3}$")]
    private static partial Regex AtPostalCode();

    [GeneratedRegex(@"^[1-9][0-9]{3}$")]
    private static partial Regex ChPostalCode();

    [GeneratedRegex(@"^DE[0-9]{9}$")]
    private static partial Regex DeVatId();

    [GeneratedRegex(@"^ATU[0-9]{8}$")]
    private static partial Regex AtVatId();

    [GeneratedRegex(@"^CHE(?<digits>[0-9]{9})(?<suffix>MWST|TVA|IVA)?$")]
    private static partial Regex ChVatId();

    [GeneratedRegex(@"^[A-Z]{2}[0-9A-Z+*.\- ]{2,13}$")]
    private static partial Regex VatIdAnyPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
