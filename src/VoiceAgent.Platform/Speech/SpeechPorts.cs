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
}
