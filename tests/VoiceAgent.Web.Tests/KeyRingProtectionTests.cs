using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The key ring encrypted at rest with a certificate: no plain key material in PostgreSQL, secrets readable after a restart
/// and after a rotation, keys written before encryption still readable, and clear start-up errors for a wrong or missing
/// certificate. The shared key ring is saved before and restored after each test (other tests' hosts run without a certificate).
/// </summary>
public sealed class KeyRingProtectionTests : IAsyncLifetime
{
    private const string Purpose = "KeyRingProtectionTests";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "keyring-" + Guid.NewGuid().ToString("n"));
    private PostgresServer database = default!;
    private List<(string Name, string Xml)> saved = [];

    public async Task InitializeAsync()
    {
        database = await PostgresServer.Shared;
        await database.ResetAsync();
        Directory.CreateDirectory(folder);
        saved = await KeysAsync();
        await ExecuteAsync("DELETE FROM data_protection_keys");
    }

    public async Task DisposeAsync()
    {
        await ExecuteAsync("DELETE FROM data_protection_keys");
        foreach (var (name, xml) in saved)
        {
            await ExecuteAsync("INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@n, @x)", ("n", name), ("x", xml));
        }

        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Encrypted_key_ring_holds_no_plain_key_and_reads_after_restart()
    {
        var cert = Certificate("a", "pw-a");
        string ciphertext;
        await using (var first = Host(("DataProtection:Certificate:Path", cert), ("DataProtection:Certificate:Password", "pw-a")))
        {
            ciphertext = Protector(first).Protect("sk-geheim-1234");
        }

        var keys = await KeysAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Contains("encryptedSecret", k.Xml);
            Assert.DoesNotContain("<masterKey", k.Xml);
            Assert.DoesNotContain("requiresEncryption", k.Xml);
        });

        await using var restarted = Host(("DataProtection:Certificate:Path", cert), ("DataProtection:Certificate:Password", "pw-a"));
        Assert.Equal("sk-geheim-1234", Protector(restarted).Unprotect(ciphertext));
    }

    [Fact]
    public async Task Rotation_keeps_old_secrets_readable_and_new_keys_use_the_new_certificate()
    {
        var certA = Certificate("a", "pw-a");
        var certB = Certificate("b", "pw-b");
        string before;
        await using (var first = Host(("DataProtection:Certificate:Path", certA), ("DataProtection:Certificate:Password", "pw-a")))
        {
            before = Protector(first).Protect("vor der Rotation");
        }

        string after;
        await using (var rotated = Host(("DataProtection:Certificate:Path", certB), ("DataProtection:Certificate:Password", "pw-b"),
                         ("DataProtection:PreviousCertificates:0:Path", certA), ("DataProtection:PreviousCertificates:0:Password", "pw-a")))
        {
            Assert.Equal("vor der Rotation", Protector(rotated).Unprotect(before));
            // A rotation also starts a new key (RUNBOOK): it is encrypted with the new certificate.
            var manager = rotated.Services.GetRequiredService<IKeyManager>();
            var now = DateTimeOffset.UtcNow;
            manager.CreateNewKey(now, now.AddDays(90));
            after = Protector(rotated).Protect("nach der Rotation");
        }

        // The certificate travels with each encrypted key (X509Data), so the newest key names certificate B.
        var rawB = Convert.ToBase64String(X509CertificateLoader.LoadPkcs12FromFile(certB, "pw-b").RawData);
        Assert.Contains(await KeysAsync(), k => k.Xml.Contains(rawB, StringComparison.Ordinal));

        await using var again = Host(("DataProtection:Certificate:Path", certB), ("DataProtection:Certificate:Password", "pw-b"),
            ("DataProtection:PreviousCertificates:0:Path", certA), ("DataProtection:PreviousCertificates:0:Password", "pw-a"));
        Assert.Equal("vor der Rotation", Protector(again).Unprotect(before));
        Assert.Equal("nach der Rotation", Protector(again).Unprotect(after));

        // Without the old certificate the keys it encrypted are unreadable: the host refuses to start and says why.
        var error = StartFailure(Host(("DataProtection:Certificate:Path", certB), ("DataProtection:Certificate:Password", "pw-b")));
        Assert.Contains("key ring cannot be decrypted", error);
        Assert.Contains("PreviousCertificates", error);
    }

    [Fact]
    public async Task Keys_written_before_encryption_stay_readable()
    {
        string ciphertext;
        await using (var plain = Host())
        {
            ciphertext = Protector(plain).Protect("alt");
        }

        Assert.Contains(await KeysAsync(), k => k.Xml.Contains("<masterKey", StringComparison.Ordinal));
        var cert = Certificate("a", "pw-a");
        await using var encrypted = Host(("DataProtection:Certificate:Path", cert), ("DataProtection:Certificate:Password", "pw-a"));
        Assert.Equal("alt", Protector(encrypted).Unprotect(ciphertext));
    }

    [Fact]
    public void Missing_file_wrong_password_and_production_without_certificate_are_clear_startup_errors()
    {
        var cert = Certificate("a", "pw-a");
        var missing = StartFailure(Host(("DataProtection:Certificate:Path", Path.Combine(folder, "fehlt.pfx"))));
        Assert.Contains("DataProtection:Certificate", missing);
        Assert.Contains("does not exist", missing);

        var wrong = StartFailure(Host(("DataProtection:Certificate:Path", cert), ("DataProtection:Certificate:Password", "falsch")));
        Assert.Contains("cannot be opened", wrong);
        Assert.DoesNotContain("falsch", wrong);

        var production = StartFailure(Host("Production"));
        Assert.Contains("DataProtection:Certificate:Path is required in Production", production);
    }

    private VoiceAgentFactory Host(params (string Key, string Value)[] settings) => Host("Development", settings);

    private VoiceAgentFactory Host(string environment, params (string Key, string Value)[] settings)
    {
        // Without a path of its own the host runs with none (the fixture's process-wide test certificate is not used here).
        var values = new Dictionary<string, string?> { ["DataProtection:Certificate:Path"] = "" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new VoiceAgentFactory(database, environment) { Settings = values };
    }

    private static IDataProtector Protector(VoiceAgentFactory host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    private static string StartFailure(VoiceAgentFactory host)
    {
        using (host)
        {
            var ex = Record.Exception(() => host.Services);
            Assert.NotNull(ex);
            var messages = new List<string>();
            for (var e = ex; e is not null; e = e.InnerException)
            {
                messages.Add(e.Message);
                if (e is AggregateException aggregate)
                {
                    messages.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
                }
            }

            return string.Join(" | ", messages);
        }
    }

    private string Certificate(string name, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=VoiceAgent key ring {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        var path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx, password));
        return path;
    }

    private async Task<List<(string Name, string Xml)>> KeysAsync()
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT friendly_name, xml FROM data_protection_keys ORDER BY id", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var keys = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            keys.Add((reader.GetString(0), reader.GetString(1)));
        }

        return keys;
    }

    private Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
        new BillingSeed(database).ExecuteAsync(sql, parameters);
}
