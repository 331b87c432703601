using System.Security.Cryptography;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// Checks X-Sipgate-Signature: Base64 RSA-SHA256 (PKCS#1 v1.5) over the exact raw body bytes (API-CONTRACTS.md §2.3).
/// Verify before parsing and never over a re-encoded form: "user[]" and "user[][0]" decode alike but sign differently.
/// </summary>
public sealed class SipgateSignatureVerifier
{
    public const string HeaderName = "X-Sipgate-Signature";

    private const int MinimumKeySizeBits = 2048;

    private readonly byte[] subjectPublicKeyInfo;
    private readonly int signatureLength;

    /// <param name="publicKeyPem">An RSA public key, "BEGIN PUBLIC KEY" (SPKI) or "BEGIN RSA PUBLIC KEY".</param>
    /// <exception cref="ArgumentException">Not an RSA public key of at least 2048 bits.</exception>
    public SipgateSignatureVerifier(string publicKeyPem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        if (rsa.KeySize < MinimumKeySizeBits)
        {
            throw new ArgumentException($"The push signing key has {rsa.KeySize} bits; at least {MinimumKeySizeBits} are required.", nameof(publicKeyPem));
        }

        subjectPublicKeyInfo = rsa.ExportSubjectPublicKeyInfo();
        signatureLength = (rsa.KeySize + 7) / 8;
    }

    public static SipgateSignatureVerifier Sipgate { get; } = new(SipgatePublicKey.Pem);

    /// <summary>The DER SPKI of the configured key, so start-up logs and tests can show which key is in use.</summary>
    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => subjectPublicKeyInfo;

    public SipgateSignatureCheck Verify(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SipgateSignatureCheck.Missing;
        }

        var signature = new byte[signatureLength + 3];
        if (!Convert.TryFromBase64String(signatureHeader.Trim(), signature, out var written) || written != signatureLength)
        {
            return SipgateSignatureCheck.Malformed;
        }

        // A fresh key object per call: RSA instances are not documented as safe for concurrent use, and the import is cheap.
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        return rsa.VerifyData(body, signature.AsSpan(0, written), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? SipgateSignatureCheck.Valid
            : SipgateSignatureCheck.Mismatch;
    }
}
