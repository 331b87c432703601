using System.ComponentModel.DataAnnotations;
using System.Text;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Platform.Speech;

public sealed record OpenAiOptions
{
    public const string Section = "OpenAi";

    /// <summary>The stored setting (super-admin) that holds the OpenAI key; without it the rules and espeak-ng are used.</summary>
    public const string ApiKeySetting = "openai.api_key";

    /// <summary>Without a key the composition root uses <see cref="RuleBasedConversationModel"/> alone, no speech
    /// recognition and espeak-ng for speech (see <see cref="SpeechEngines"/>).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Includes the version segment; the SDK appends "chat/completions", "audio/transcriptions" and so on.</summary>
    [Required]
    public Uri Endpoint { get; init; } = new("https://api.openai.com/v1");

    [Required]
    public string ChatModel { get; init; } = "gpt-4o-mini";

    /// <summary>"gpt-4o-mini-transcribe", "gpt-4o-transcribe" or "whisper-1".</summary>
    [Required]
    public string TranscriptionModel { get; init; } = "gpt-4o-mini-transcribe";

    /// <summary>Realtime calls stream the caller's audio to a Realtime transcription session while they speak (only with a
    /// "gpt-4o…transcribe" <see cref="TranscriptionModel"/>; whisper-1 does not stream). False: every utterance is uploaded
    /// whole when it ends, as before.</summary>
    public bool StreamingTranscription { get; init; } = true;

    /// <summary>"gpt-4o-mini-tts", "tts-1" or "tts-1-hd".</summary>
    [Required]
    public string SpeechModel { get; init; } = "gpt-4o-mini-tts";

    /// <summary>The speech-to-speech model of a tenant's Realtime mode (WebSocket <c>{Endpoint}/realtime?model=…</c>).</summary>
    [Required]
    public string RealtimeModel { get; init; } = "gpt-realtime";

    /// <summary>Realtime mode: the silence (ms) after which the server's turn detection ends the caller's turn. 300 ms keeps
    /// the answer under 800 ms after the caller stops; a caller who goes on after it interrupts the answer (barge-in).
    /// OpenAI's own default is 500.</summary>
    [Range(200, 1500)]
    public int RealtimeSilenceMs { get; init; } = 300;

    /// <summary>The OpenAI voice used when a flow names none (or names one OpenAI does not have).</summary>
    [Required]
    public string Voice { get; init; } = "alloy";

    /// <summary>The budget for one request (a turn, a transcription, a synthesis) including the single 429 retry; after it
    /// the caller hears the fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    // The generated record ToString would print the key wherever the options get logged.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"ApiKey = {(ApiKey is null ? "null" : SecretHint.For(ApiKey))}, Endpoint = {Endpoint}, ChatModel = {ChatModel}, ")
            .Append($"TranscriptionModel = {TranscriptionModel}, StreamingTranscription = {StreamingTranscription}, SpeechModel = {SpeechModel}, RealtimeModel = {RealtimeModel}, RealtimeSilenceMs = {RealtimeSilenceMs}, Voice = {Voice}, Timeout = {Timeout}");
        return true;
    }
}
