using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>Remembers synthesized audio: greetings and menu prompts repeat on every call, and synthesis takes from a
/// few hundred milliseconds (espeak-ng) to seconds (OpenAI) the caller would spend in silence.</summary>
/// <param name="cache">Usually the process-wide instance; see <see cref="TextToSpeechCache"/>.</param>
/// <param name="engine">Tells engines sharing one cache apart ("espeak-ng", "openai/gpt-4o-mini-tts/alloy"), so a switch
/// of engine never replays the other engine's audio.</param>
public sealed class CachingTextToSpeech(ITextToSpeech inner, TextToSpeechCache cache, string engine) : ITextToSpeech
{
    /// <summary>With a private cache, for use outside the composition root.</summary>
    public CachingTextToSpeech(ITextToSpeech inner, int capacity = TextToSpeechCache.DefaultCapacity)
        : this(inner, new TextToSpeechCache(capacity), "")
    {
    }

    public ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.IsNullOrWhiteSpace(text)
            ? inner.SynthesizeMuLawAsync(text, voice, cancellationToken)
            : cache.GetOrSynthesizeAsync(engine, inner, text, voice, cancellationToken);
    }

    /// <summary>Cached audio at once; otherwise the engine's stream, passed on piece by piece and kept when it ran to its end.</summary>
    public async IAsyncEnumerable<byte[]> StreamMuLawAsync(string text, string? voice,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        if (cache.Find(engine, voice, text) is { } cached)
        {
            yield return cached;
            yield break;
        }

        var whole = new List<byte>();
        await foreach (var piece in inner.StreamMuLawAsync(text, voice, cancellationToken))
        {
            whole.AddRange(piece);
            yield return piece;
        }

        cache.Store(engine, voice, text, [.. whole]);
    }
}
