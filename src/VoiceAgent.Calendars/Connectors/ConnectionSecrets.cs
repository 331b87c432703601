using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace VoiceAgent.Calendars;

/// <summary>What a connection keeps secret: OAuth tokens (Google), MSAL's token cache (Microsoft) or a password (CalDAV).</summary>
public sealed record StoredSecret(string? AccessToken = null, DateTimeOffset? AccessTokenExpiresAt = null, string? RefreshToken = null,
    string? MsalCache = null, string? Password = null);

/// <summary>
/// Encrypts connection secrets with Data Protection (the key ring in PostgreSQL shared by all nodes). A secret still
/// protected by an older, rotated key is reported as <c>migrate</c>, so the caller re-protects it with the current key.
/// </summary>
public sealed class ConnectionSecrets(IDataProtectionProvider protection)
{
    private readonly IPersistedDataProtector protector =
        (IPersistedDataProtector)protection.CreateProtector("VoiceAgent.CalendarConnections.v1");

    public string Protect(StoredSecret secret) => protector.Protect(JsonSerializer.Serialize(secret));

    /// <exception cref="CalendarAuthorizationException">The ciphertext cannot be read (key ring lost or revoked key).</exception>
    public StoredSecret Unprotect(string ciphertext, out bool migrate)
    {
        try
        {
            var json = protector.DangerousUnprotect(WebEncoders.Base64UrlDecode(ciphertext), ignoreRevocationErrors: false,
                out var requiresMigration, out var wasRevoked);
            migrate = requiresMigration || wasRevoked;
            return JsonSerializer.Deserialize<StoredSecret>(json) ?? new StoredSecret();
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new CalendarAuthorizationException("The stored credentials cannot be decrypted (Data Protection key ring).", ex);
        }
    }

    public StoredSecret Unprotect(string ciphertext) => Unprotect(ciphertext, out _);
}
