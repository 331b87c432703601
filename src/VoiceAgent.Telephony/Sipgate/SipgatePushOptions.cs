using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>How pushes are authenticated; the defaults are sipgate's published key and addresses.</summary>
public sealed class SipgatePushOptions : IValidatableObject
{
    public const string Section = "Sipgate:Push";

    [Required]
    public string PublicKeyPem { get; set; } = SipgatePublicKey.Pem;

    /// <summary>Empty means <see cref="SipgateSourceCheck.DefaultAllowedSources"/>. (A default list here would be
    /// appended to, not replaced, by configuration binding.)</summary>
    public string[] AllowedSourceAddresses { get; set; } = [];

    /// <summary>Obsolete: the push guard reads the client address the trusted-proxy middleware resolved
    /// (ForwardedHeaders:KnownProxies / KnownNetworks) and never X-Forwarded-For; set here, a warning is logged.</summary>
    public string[] TrustedProxies { get; set; } = [];

    public SipgateSignatureVerifier CreateVerifier() => new(PublicKeyPem);

    public SipgateSourceCheck CreateSourceCheck() => new(
        AllowedSourceAddresses.Length == 0 ? SipgateSourceCheck.DefaultAllowedSources : AllowedSourceAddresses.Select(IPAddress.Parse),
        TrustedProxies.Select(ParseNetwork));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        try
        {
            CreateVerifier();
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            problems.Add(new ValidationResult($"PublicKeyPem is not a usable RSA public key: {ex.Message}", [nameof(PublicKeyPem)]));
        }

        problems.AddRange(AllowedSourceAddresses
            .Where(a => !IPAddress.TryParse(a, out _))
            .Select(a => new ValidationResult($"'{a}' is not an IP address.", [nameof(AllowedSourceAddresses)])));
        problems.AddRange(TrustedProxies
            .Where(p => !TryParseNetwork(p, out _))
            .Select(p => new ValidationResult($"'{p}' is not an IP address or CIDR range.", [nameof(TrustedProxies)])));
        return problems;
    }

    private static IPNetwork ParseNetwork(string value) =>
        TryParseNetwork(value, out var network) ? network : throw new FormatException($"'{value}' is not an IP address or CIDR range.");

    private static bool TryParseNetwork(string value, out IPNetwork network)
    {
        if (value.Contains('/'))
        {
            return IPNetwork.TryParse(value, out network);
        }

        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }

        network = default;
        return false;
    }
}
