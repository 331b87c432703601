using System.Security.Cryptography;
using System.Text;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>
/// Checks X-Twilio-Signature (API-CONTRACTS.md §1.2). <c>url</c> is always the full public URL exactly as Twilio
/// requested it: scheme, host, path and the original, still URL-encoded query string. Behind a reverse proxy, build it
/// from the configured public base URL and the raw request target, never from the request's own Host header.
/// </summary>
public static class TwilioRequestValidator
{
    private const string BodyHashParameter = "bodySHA256";

    private static readonly Comparer<string> CodePointOrder = Comparer<string>.Create(CompareCodePoints);

    /// <summary>
    /// The URL followed by <c>key + value</c> for every form parameter, keys in code-point order; a repeated key
    /// contributes each distinct value once, values sorted (twilio-python's behaviour). For GET webhooks pass no
    /// parameters: the query string is already part of the URL and must not be appended again.
    /// </summary>
    public static string ComputeSignature(string authToken, string url, IEnumerable<KeyValuePair<string, string>> formParameters)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(formParameters);

        var signed = new StringBuilder(url);
        var byKey = formParameters
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, CodePointOrder);
        foreach (var group in byKey)
        {
            var values = group.Select(p => p.Value ?? "").Distinct(StringComparer.Ordinal).ToList();
            values.Sort(CodePointOrder);
            foreach (var value in values)
            {
                signed.Append(group.Key).Append(value);
            }
        }

        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(signed.ToString()));
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when the header matches the signature of the URL as given, without its port, or with the scheme's default
    /// port added: Twilio does not sign ports consistently, and both official SDKs accept either form.
    /// </summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> formParameters, string? signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(formParameters);
        if (string.IsNullOrEmpty(signatureHeader) || authToken.Length == 0)
        {
            return false;
        }

        var parameters = formParameters.ToList();
        var expected = Encoding.ASCII.GetBytes(signatureHeader.Trim());
        var valid = false;
        foreach (var candidate in PortVariants(url))
        {
            var actual = Encoding.ASCII.GetBytes(ComputeSignature(authToken, candidate, parameters));
            valid |= CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        return valid;
    }

    /// <summary>
    /// For requests with a JSON body: Twilio adds <c>bodySHA256=&lt;hex SHA-256 of the raw body&gt;</c> to the URL and
    /// signs the URL alone. Both the signature and the hash of exactly these bytes must match.
    /// </summary>
    public static bool IsValidJson(string authToken, string urlWithBodySha256, ReadOnlySpan<byte> rawBody, string? signatureHeader)
    {
        if (!TryGetQueryValue(urlWithBodySha256, BodyHashParameter, out var expectedHash))
        {
            return false;
        }

        var signatureValid = IsValid(authToken, urlWithBodySha256, [], signatureHeader);
        var actualHash = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(rawBody)));
        var hashValid = CryptographicOperations.FixedTimeEquals(actualHash, Encoding.UTF8.GetBytes(expectedHash.ToLowerInvariant()));
        return signatureValid & hashValid;
    }

    /// <summary>The URL as given, plus the variant without a port and the one with the default port, when they differ.</summary>
    internal static IReadOnlyList<string> PortVariants(string url)
    {
        var variants = new List<string> { url };
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return variants;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var authority = url[authorityStart..authorityEnd];
        var hostStart = authority.LastIndexOf('@') + 1;
        var ipv6End = authority.LastIndexOf(']');
        var portColon = authority.LastIndexOf(':');
        var hasPort = portColon >= hostStart && portColon > ipv6End;
        var hostAndUser = hasPort ? authority[..portColon] : authority;

        var withoutPort = url[..authorityStart] + hostAndUser + url[authorityEnd..];
        if (withoutPort != url)
        {
            variants.Add(withoutPort);
        }

        var defaultPort = url[..schemeEnd].ToLowerInvariant() switch
        {
            "https" or "wss" => "443",
            "http" or "ws" => "80",
            _ => null,
        };
        if (!hasPort && defaultPort is not null)
        {
            variants.Add(url[..authorityStart] + hostAndUser + ":" + defaultPort + url[authorityEnd..]);
        }

        return variants;
    }

    private static bool TryGetQueryValue(string url, string name, out string value)
    {
        value = "";
        var queryStart = url.IndexOf('?');
        if (queryStart < 0)
        {
            return false;
        }

        var fragment = url.IndexOf('#', queryStart);
        var query = fragment < 0 ? url[(queryStart + 1)..] : url[(queryStart + 1)..fragment];
        foreach (var pair in query.Split('&'))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                value = Uri.UnescapeDataString(pair[(equals + 1)..]);
                return value.Length > 0;
            }
        }

        return false;
    }

    // Python sorts str by code point; UTF-16 ordinal order differs only for characters above U+FFFF versus U+E000–U+FFFF.
    private static int CompareCodePoints(string left, string right)
    {
        var a = left.EnumerateRunes();
        var b = right.EnumerateRunes();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var order = a.Current.Value.CompareTo(b.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }
}
