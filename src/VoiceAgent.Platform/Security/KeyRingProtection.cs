using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace VoiceAgent.Platform.Security;

/// <summary>A PFX file and its password (section <c>DataProtection:Certificate</c> and the entries of <c>:PreviousCertificates</c>).</summary>
public sealed class KeyRingCertificateOptions
{
    public string? Path { get; set; }
    public string? Password { get; set; }
}

/// <summary>
/// How the Data Protection key ring is encrypted at rest (section <c>DataProtection</c>). <see cref="Certificate"/> encrypts
/// new keys and decrypts; <see cref="PreviousCertificates"/> only decrypt keys written under an earlier certificate (rotation).
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    public KeyRingCertificateOptions? Certificate { get; set; }

    public List<KeyRingCertificateOptions> PreviousCertificates { get; set; } = [];

    public bool Protected => !string.IsNullOrWhiteSpace(Certificate?.Path);
}

/// <summary>
/// The key ring's protection with an X.509 certificate (RSA-OAEP wrapped AES, ASP.NET's <c>ProtectKeysWithCertificate</c>):
/// a maintained, documented encryptor instead of our own, and rotation is built in (old certificates decrypt only).
/// Keys written before the certificate was configured are plain XML, which Data Protection reads as before.
/// Production refuses to start without a certificate; elsewhere the unencrypted key ring is the development default.
/// </summary>
public static class KeyRingProtection
{
    public static IServiceCollection AddKeyRingProtection(this IServiceCollection services, IDataProtectionBuilder builder,
        IConfiguration configuration)
    {
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        services.AddOptions<KeyRingOptions>().Bind(configuration.GetSection(KeyRingOptions.Section));
        services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidator>();
        services.AddOptions<KeyRingOptions>().ValidateOnStart();
        services.AddHostedService<KeyRingStartupCheck>();
        if (!options.Protected)
        {
            return services;
        }

        // Loaded lazily: a missing or unreadable file fails the options validation above with a clear message first.
        if (TryLoad(options.Certificate!, out var current, out _))
        {
            builder.ProtectKeysWithCertificate(current!);
            var previous = options.PreviousCertificates
                .Select(p => TryLoad(p, out var c, out _) ? c : null)
                .OfType<X509Certificate2>()
                .ToArray();
            builder.UnprotectKeysWithAnyCertificate([current!, .. previous]);
        }

        return services;
    }

    /// <summary>Loads a PFX with its private key; <paramref name="error"/> says in plain words what is wrong, without the password.</summary>
    public static bool TryLoad(KeyRingCertificateOptions options, out X509Certificate2? certificate, out string? error)
    {
        certificate = null;
        error = null;
        if (string.IsNullOrWhiteSpace(options.Path) || !File.Exists(options.Path))
        {
            error = $"the certificate file '{options.Path}' does not exist";
            return false;
        }

        try
        {
            var loaded = X509CertificateLoader.LoadPkcs12FromFile(options.Path, options.Password, X509KeyStorageFlags.EphemeralKeySet);
            if (!loaded.HasPrivateKey || loaded.GetRSAPrivateKey() is null)
            {
                error = $"the certificate '{options.Path}' has no RSA private key";
                loaded.Dispose();
                return false;
            }

            certificate = loaded;
            return true;
        }
        catch (CryptographicException)
        {
            error = $"the certificate '{options.Path}' cannot be opened (wrong password or not a PFX file)";
            return false;
        }
    }
}

/// <summary>Clear start-up errors: a configured certificate that cannot be loaded, or Production without any.</summary>
internal sealed class KeyRingOptionsValidator(IHostEnvironment environment) : IValidateOptions<KeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        var errors = new List<string>();
        if (!options.Protected)
        {
            if (environment.IsProduction())
            {
                errors.Add("DataProtection:Certificate:Path is required in Production: the Data Protection key ring must be encrypted at rest " +
                    "(a PFX with an RSA key; see RUNBOOK 'Key ring encryption').");
            }
        }
        else if (!KeyRingProtection.TryLoad(options.Certificate!, out var current, out var error))
        {
            errors.Add($"DataProtection:Certificate: {error}.");
        }
        else
        {
            current!.Dispose();
        }

        for (var i = 0; i < options.PreviousCertificates.Count; i++)
        {
            if (!KeyRingProtection.TryLoad(options.PreviousCertificates[i], out var previous, out var error))
            {
                errors.Add($"DataProtection:PreviousCertificates:{i}: {error}.");
            }
            else
            {
                previous!.Dispose();
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// At start: every key of the ring must decrypt with the configured certificates, otherwise every secret encrypted under it
/// would fail later, one request at a time. A database that is not reachable yet is not this check's business (health is).
/// </summary>
internal sealed class KeyRingStartupCheck(IKeyManager keys, IOptions<KeyRingOptions> options, IHostEnvironment environment,
    ILogger<KeyRingStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Protected)
        {
            logger.LogWarning("The Data Protection key ring is stored unencrypted ({Environment} default); set DataProtection:Certificate:Path " +
                "and :Password to encrypt it. Production refuses to start without.", environment.EnvironmentName);
        }

        IReadOnlyCollection<IKey> all;
        try
        {
            all = keys.GetAllKeys();
        }
        catch (NpgsqlException ex)
        {
            logger.LogWarning(ex, "The key ring could not be read at start (database not reachable); it is checked on first use");
            return Task.CompletedTask;
        }

        var unreadable = new List<Guid>();
        foreach (var key in all)
        {
            try
            {
                _ = key.Descriptor;
            }
            catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or System.Xml.XmlException)
            {
                unreadable.Add(key.KeyId);
            }
        }

        if (unreadable.Count > 0)
        {
            throw new InvalidOperationException(
                $"The Data Protection key ring cannot be decrypted: key(s) {string.Join(", ", unreadable)} were encrypted with a certificate " +
                "that is not configured. Configure it as DataProtection:Certificate or add it to DataProtection:PreviousCertificates " +
                "(see RUNBOOK 'Key ring rotation').");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
