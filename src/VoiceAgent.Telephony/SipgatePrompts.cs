using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Telephony;

/// <summary>
/// What the agent says on a sipgate call: sipgate only plays WAV files it fetches by URL. The prompt id is the text
/// itself, protected (encrypted, authenticated, expiring) with Data Protection, so there is nothing to store, every app
/// instance can serve it (the key ring lives in PostgreSQL), and nobody can have a text of their own spoken: only
/// what one of our push responses put there. Audio comes from the same engines and cache as realtime calls: the call's
/// tenant's engines (the tenant id travels inside the protected id).
/// </summary>
public sealed class SipgatePrompts(IDataProtectionProvider protection, RealtimeSpeech speech, TimeProvider time)
{
    /// <summary>Long enough for sipgate to fetch it (at once) and for a slow caller; the URL is useless afterwards.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("VoiceAgent.SipgatePrompt.v1").ToTimeLimitedDataProtector();

    /// <param name="tenantId">The tenant whose speech engines speak it (wizard step 2); null: the platform default.</param>
    public string Issue(string text, Guid? tenantId = null) =>
        Protector.Protect((tenantId?.ToString("N") ?? "") + "\n" + text, time.GetUtcNow().Add(Lifetime));

    public bool TryRead(string? id, out Guid? tenantId, [NotNullWhen(true)] out string? text)
    {
        text = null;
        tenantId = null;
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        try
        {
            var candidate = Protector.Unprotect(id, out var expiration);
            if (expiration <= time.GetUtcNow())
            {
                return false;
            }

            // "<tenant id or nothing>\n<text>"; the lines of a prompt are joined with spaces, so the text has no line break
            // of its own at the start.
            var cut = candidate.IndexOf('\n', StringComparison.Ordinal);
            if (cut >= 0 && (cut == 0 || Guid.TryParseExact(candidate[..cut], "N", out _)))
            {
                tenantId = cut == 0 ? null : Guid.ParseExact(candidate[..cut], "N");
                candidate = candidate[(cut + 1)..];
            }

            text = candidate;
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>8 kHz mono 16-bit PCM WAV, the one format sipgate plays.</summary>
    /// <exception cref="VoiceAgent.Flows.Runtime.PortException">The speech engine failed.</exception>
    public async Task<byte[]> SynthesizeWavAsync(string text, Guid? tenantId, CancellationToken ct)
    {
        var (_, tts) = tenantId is { } tenant ? await speech.GetAsync(tenant, ct) : await speech.GetAsync(ct);
        var mulaw = await tts.SynthesizeMuLawAsync(text, null, ct);
        return WavFile.WriteNarrowband(MuLaw.Decode(mulaw));
    }
}
