namespace VoiceAgent.Platform.Speech;

/// <summary>Speech recognition for realtime calls: one caller utterance (8 kHz mono PCM16) to text.</summary>
public interface ISpeechToText
{
    /// <returns>The recognized text, or null when nothing intelligible was said.</returns>
    ValueTask<string?> TranscribeAsync(ReadOnlyMemory<short> pcm8k, CancellationToken cancellationToken);
}

/// <summary>
/// Speech recognition that listens while the caller speaks: the call's μ-law frames go to the engine as they are heard,
/// so at the end of an utterance only the last moments are left to recognize. Engines that do not stream have no such port
/// (the call then uses <see cref="ISpeechToText"/> on the whole utterance).
/// </summary>
public interface IStreamingSpeechToText
{
    /// <summary>Opens the call's stream (one per call).</summary>
    /// <exception cref="VoiceAgent.Flows.Runtime.PortException">The engine refused or could not be reached within its budget.</exception>
    ValueTask<ISpeechToTextStream> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>One call's recognition stream. <see cref="Append"/> and <see cref="Clear"/> never wait for the network; after a
/// failure (dropped socket, refused audio) appends are ignored and every commit fails at once.</summary>
public interface ISpeechToTextStream : IAsyncDisposable
{
    /// <summary>A 20 ms μ-law 8 kHz frame (as Twilio sends it: no resampling).</summary>
    void Append(ReadOnlyMemory<byte> mulaw);

    /// <summary>The transcript of the audio appended since the last commit or clear.</summary>
    /// <returns>The text, or null when nothing intelligible (or too little audio) was appended.</returns>
    /// <exception cref="VoiceAgent.Flows.Runtime.PortException">The stream failed or gave no answer within its budget.</exception>
    Task<string?> CommitAsync(CancellationToken cancellationToken);

    /// <summary>Discards the audio appended since the last commit.</summary>
    void Clear();
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
