using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VoiceAgent.Testing;

/// <summary>
/// One key ring certificate per test process (the process's PostgreSQL is fresh too), so every host of the process — in
/// Production and Development alike — encrypts and decrypts the shared key ring with the same certificate.
/// Tests about the key ring itself pass their own <c>DataProtection:Certificate:Path</c> (or "" for none).
/// </summary>
public static class TestKeyRing
{
    public const string Password = "test-keyring-pfx";

    /// <summary>A fixed test value of <c>Privacy:PseudonymKey</c> (Production requires one).</summary>
    public const string PseudonymKey = "test-pseudonym-key-0123456789abcdef0123456789";

    private static readonly Lazy<string> Path = new(Create);

    public static string CertificatePath => Path.Value;

    private static string Create()
    {
        var directory = FixtureDirectory.Create("keyring");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=VoiceAgent test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var file = System.IO.Path.Combine(directory, "keyring.pfx");
        File.WriteAllBytes(file, certificate.Export(X509ContentType.Pfx, Password));
        return file;
    }
}
