namespace VoiceAgent.Platform.Speech;

/// <summary>Speech recognition for realtime calls: one caller utterance (8 kHz mono PCM16) to text.</summary>
public interface ISpeechToText
{
    /// <returns>The recognized text, or null when nothing intelligible was said.</returns>
    ValueTask<string?> TranscribeAsync(ReadOnlyMemory<short> pcm8k, CancellationToken cancellationToken);
}

/// <summary>Speech synthesis for realtime calls: text to 8 kHz μ-law audio without header (Twilio Media Streams format).</summary>
public interface ITextToSpeech
{
    ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken);

    /// <summary>The same audio as it is synthesized: μ-law pieces, the first as soon as the engine sends sound, so the
    /// caller hears a sentence begin before it is synthesized to the end. Engines that answer only whole give one piece.</summary>
    IAsyncEnumerable<byte[]> StreamMuLawAsync(string text, string? voice, CancellationToken cancellationToken) =>
        SpeechStreams.Whole(this, text, voice, cancellationToken);
}

public static class SpeechStreams
{
    /// <summary>An engine without streaming: the whole audio as one piece.</summary>
    public static async IAsyncEnumerable<byte[]> Whole(ITextToSpeech engine, string text, string? voice,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var audio = await engine.SynthesizeMuLawAsync(text, voice, cancellationToken);
        if (audio.Length > 0)
        {
            yield return audio;
        }
    }
}
