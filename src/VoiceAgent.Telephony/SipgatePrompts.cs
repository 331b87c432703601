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
/// what one of our push responses put there. Audio comes from the same engines and cache as realtime calls.
/// </summary>
public sealed class SipgatePrompts(IDataProtectionProvider protection, RealtimeSpeech speech, TimeProvider time)
{
    /// <summary>Long enough for sipgate to fetch it (at once) and for a slow caller; the URL is useless afterwards.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("VoiceAgent.SipgatePrompt.v1").ToTimeLimitedDataProtector();

    public string Issue(string text) => Protector.Protect(text, time.GetUtcNow().Add(Lifetime));

    public bool TryRead(string? id, [NotNullWhen(true)] out string? text)
    {
        text = null;
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
    public async Task<byte[]> SynthesizeWavAsync(string text, CancellationToken ct)
    {
        var (_, tts) = await speech.GetAsync(ct);
        var mulaw = await tts.SynthesizeMuLawAsync(text, null, ct);
        return WavFile.WriteNarrowband(MuLaw.Decode(mulaw));
    }
}
