using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VoiceAgent.Platform.Billing.Stripe;

public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,

    /// <summary>Correctly signed, but the signed timestamp is outside the tolerance (an old or replayed delivery).</summary>
    Stale,
    Mismatch,
}

/// <summary>
/// Stripe webhook signatures (API-CONTRACTS.md §4): header <c>t=…,v1=…[,v1=…]</c>; v1 = hex HMAC-SHA256 with the whole
/// <c>whsec_…</c> string as key over <c>"{t}.{raw body}"</c>. Any v1 may match (secret rotation); v0 is ignored. The
/// bytes must be the raw body as received.
/// </summary>
public static class StripeSignature
{
    public static SignatureCheck Verify(string? header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return SignatureCheck.Missing;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == "v1" && value.Length == 64)
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    // Not hex: cannot match; other v1 entries may.
                }
            }
        }

        if (timestamp is not { } signedAt || signatures.Count == 0)
        {
            return SignatureCheck.Malformed;
        }

        var expected = Compute(secret, signedAt, body);
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected)))
        {
            return SignatureCheck.Mismatch;
        }

        return Math.Abs(now.ToUnixTimeSeconds() - signedAt) > tolerance.TotalSeconds ? SignatureCheck.Stale : SignatureCheck.Valid;
    }

    public static byte[] Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
    }

    /// <summary>The header Stripe would send (tests, the CLI).</summary>
    public static string Header(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Compute(secret, timestamp, body))}";
}
