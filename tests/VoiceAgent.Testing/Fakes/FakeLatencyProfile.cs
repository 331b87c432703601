using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// How long the fake providers take, so a benchmark sees provider time as a real call would (the defaults and where they
/// come from: tests/VoiceAgent.Benchmarks/Latency/latency-profile.json and the benchmarks README). Zero everywhere (the
/// tests' default) answers at once.
/// </summary>
public sealed record FakeLatencyProfile
{
    /// <summary>Transcription of one utterance: request received → JSON answer.</summary>
    [JsonPropertyName("transcriptionMs")]
    public int TranscriptionMs { get; init; }

    /// <summary>Chat completion: request received → first token.</summary>
    [JsonPropertyName("modelFirstTokenMs")]
    public int ModelFirstTokenMs { get; init; }

    /// <summary>Chat completion: output tokens per second after the first (a word counts as one token here).</summary>
    [JsonPropertyName("modelTokensPerSecond")]
    public double ModelTokensPerSecond { get; init; }

    /// <summary>Speech: request received → first audio bytes.</summary>
    [JsonPropertyName("speechFirstByteMs")]
    public int SpeechFirstByteMs { get; init; }

    /// <summary>Speech: synthesis time per second of audio after the first bytes (0.25 = four times faster than real time).</summary>
    [JsonPropertyName("speechRealTimeFactor")]
    public double SpeechRealTimeFactor { get; init; }

    /// <summary>Realtime API: end of the caller's speech (server VAD) → first audio delta.</summary>
    [JsonPropertyName("realtimeFirstAudioMs")]
    public int RealtimeFirstAudioMs { get; init; }

    /// <summary>Streaming transcription (Realtime transcription session): commit of the buffer → completed transcript, the
    /// audio having been streamed while the caller spoke. Not zero unless set: the tests' profile is <see cref="None"/>.</summary>
    [JsonPropertyName("streamingTranscriptionMs")]
    public int StreamingTranscriptionMs { get; init; } = 150;

    public static FakeLatencyProfile None { get; } = new() { StreamingTranscriptionMs = 0 };

    public static FakeLatencyProfile Load(string path) =>
        JsonSerializer.Deserialize<FakeLatencyProfile>(File.ReadAllText(path), new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip })
        ?? throw new InvalidDataException($"{path} holds no latency profile.");

    /// <summary>Time for <paramref name="tokens"/> tokens after the first at the profile's rate.</summary>
    public TimeSpan TokenTime(int tokens) =>
        ModelTokensPerSecond <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, tokens) / ModelTokensPerSecond);
}
