using System.Security.Cryptography;
using System.Text;
using Twilio.Security;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// X-Twilio-Signature (API-CONTRACTS.md §1.2). <c>url</c> is always the full public URL exactly as Twilio requested it:
/// scheme, host, path and the original, still URL-encoded query string. Checking is the SDK's <see cref="RequestValidator"/>
/// (which also tries the URL with the default port added or the port removed); <see cref="Compute"/> produces the header
/// as Twilio would, for the CLI's call simulator and tests, because the SDK only validates.
/// </summary>
public static class TwilioSignature
{
    /// <summary>
    /// True when <paramref name="header"/> signs the URL and the form parameters with <paramref name="authToken"/>. For
    /// GET webhooks pass no parameters: the query string is part of the URL and is not appended again.
    /// </summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> formParameters, string? header)
    {
        ArgumentNullException.ThrowIfNull(formParameters);
        if (string.IsNullOrEmpty(authToken) || string.IsNullOrEmpty(url) || string.IsNullOrWhiteSpace(header))
        {
            return false; // the SDK throws on an empty header
        }

        var validator = new RequestValidator(authToken);
        var parameters = SignedParameters(formParameters);
        return validator.Validate(url, parameters, header.Trim())
            || (WithoutDefaultPort(url) is { } portless && validator.Validate(portless, parameters, header.Trim()));
    }

    /// <summary>
    /// Whether the header can be an HMAC-SHA1 signature at all (Base64 of 20 bytes). Checked before the request body is
    /// read or any account is looked up, so a request without a signature costs nothing.
    /// </summary>
    public static bool IsWellFormed(string? header)
    {
        Span<byte> mac = stackalloc byte[32];
        return !string.IsNullOrWhiteSpace(header) && header.Trim().Length == 28
            && Convert.TryFromBase64String(header.Trim(), mac, out var length) && length == 20;
    }

    /// <summary>The header Twilio would send: Base64 HMAC-SHA1 over the URL followed by key + value, keys in ordinal order.</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> formParameters)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        var signed = new StringBuilder(url);
        foreach (var (key, value) in SignedParameters(formParameters).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            signed.Append(key).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(signed.ToString())));
    }

    /// <summary>
    /// The SDK tries the URL with the port added or removed, but it reads the port through <see cref="Uri"/>, which hides
    /// a spelled-out default port (<c>https://host:443/</c>): the variant without it is then never tried.
    /// </summary>
    private static string? WithoutDefaultPort(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsDefaultPort || uri.Port < 0)
        {
            return null;
        }

        var authorityStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var port = ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return authorityStart > 2 && url.AsSpan(authorityStart, authorityEnd - authorityStart).EndsWith(port, StringComparison.Ordinal)
            ? url[..(authorityEnd - port.Length)] + url[authorityEnd..]
            : null;
    }

    /// <summary>
    /// The SDK takes one value per key. Twilio (as twilio-python) signs a repeated key once per distinct value, values
    /// sorted: <c>Digits1234Digits5678</c>. Folding the values into one (<c>1234Digits5678</c>) yields the same signed text.
    /// </summary>
    private static Dictionary<string, string> SignedParameters(IEnumerable<KeyValuePair<string, string>> formParameters)
    {
        ArgumentNullException.ThrowIfNull(formParameters);
        return formParameters
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => string.Join(g.Key, g.Select(p => p.Value ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
                StringComparer.Ordinal);
    }
}
