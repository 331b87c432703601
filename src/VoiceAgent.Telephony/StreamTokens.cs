using Microsoft.AspNetCore.DataProtection;

namespace VoiceAgent.Telephony;

/// <summary>
/// The token in a call's <c>&lt;Stream&gt;</c> parameters: tenant and call, protected (and time-limited) with Data
/// Protection, so a WebSocket can only attach to the call it was issued for. Single use is enforced by the call row.
/// </summary>
public sealed class StreamTokens(IDataProtectionProvider protection, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("VoiceAgent.StreamToken.v1").ToTimeLimitedDataProtector();

    public string Issue(Guid tenantId, Guid callId) => Protector.Protect($"{tenantId:n}:{callId:n}", time.GetUtcNow().Add(Lifetime));

    public bool TryRead(string? token, out Guid tenantId, out Guid callId)
    {
        tenantId = callId = Guid.Empty;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        try
        {
            var parts = Protector.Unprotect(token, out var expiration).Split(':');
            return expiration > time.GetUtcNow() && parts.Length == 2 && Guid.TryParse(parts[0], out tenantId) && Guid.TryParse(parts[1], out callId);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
