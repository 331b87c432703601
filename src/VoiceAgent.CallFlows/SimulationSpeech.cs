using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.CallFlows;

/// <summary>Why a spoken answer was refused before any turn was taken (each with its German message).</summary>
public enum SpeechRefusal
{
    /// <summary>No speech-to-text engine is configured (HTTP 409).</summary>
    NoSpeechToText,

    /// <summary>Over <see cref="RequestLimits.MaxSpeechBody"/> bytes or <see cref="RequestLimits.MaxSpeechSeconds"/> s (HTTP 413).</summary>
    TooLarge,

    /// <summary>Not a 16-bit PCM WAV from 8 kHz up (HTTP 400).</summary>
    InvalidAudio,

    /// <summary>The recognition engine failed (HTTP 503).</summary>
    RecognitionFailed,
}

/// <summary>
/// What became of a spoken answer: refused (<see cref="Refusal"/> and its German <see cref="Message"/>), or the session's
/// <see cref="Turn"/> outcome (not found, ended, invalid flow, or the turn the heard text took — with an empty
/// <see cref="FlowsApi.SpeechTurnResult.Heard"/> and a hint when nothing intelligible was heard and no turn was taken).
/// </summary>
public sealed record SpeechOutcome(SpeechRefusal? Refusal, string? Message, Outcome<FlowsApi.SpeechTurnResult>? Turn)
{
    public static SpeechOutcome Refused(SpeechRefusal refusal, string message) => new(refusal, message, null);

    public static SpeechOutcome Taken(Outcome<FlowsApi.SpeechTurnResult> turn) => new(null, null, turn);
}

/// <summary>
/// A spoken answer in the test console, for the API (POST …/simulations/{sid}/speech) and the designer's Blazor console
/// alike: a WAV recording (16-bit PCM, mono or stereo, any rate from 8 kHz; at most <see cref="RequestLimits.MaxSpeechSeconds"/> s
/// and <see cref="RequestLimits.MaxSpeechBody"/> bytes) is resampled to 8 kHz, transcribed by the tenant's speech-to-text
/// engine and then taken as the typed text would be. The session is checked before paying for a transcription.
/// </summary>
public sealed class SimulationSpeech(SimulationService simulator, ISpeechEngines engines, ILogger<SimulationSpeech> logger)
{
    /// <summary>The tenant's recognition engine, or null when it has none (offline; the console then offers no microphone).</summary>
    public async Task<ISpeechToText?> RecognitionAsync(Guid tenantId, CancellationToken ct = default) => (await engines.GetAsync(tenantId, ct)).Stt;

    /// <summary>Transcribes <paramref name="wav"/> with the tenant's engine and takes the turn (see the class).</summary>
    public async Task<SpeechOutcome> TakeAsync(Guid tenantId, Guid flowId, Guid sessionId, byte[] wav, CancellationToken ct = default)
    {
        var stt = await RecognitionAsync(tenantId, ct);
        return stt is null
            ? SpeechOutcome.Refused(SpeechRefusal.NoSpeechToText, Texts.Get("Simulation.NoSpeechToText"))
            : await TakeAsync(stt, tenantId, flowId, sessionId, wav, ct);
    }

    /// <summary>Transcribes <paramref name="wav"/> with <paramref name="stt"/> (from <see cref="RecognitionAsync"/>) and takes the turn.</summary>
    public async Task<SpeechOutcome> TakeAsync(ISpeechToText stt, Guid tenantId, Guid flowId, Guid sessionId, byte[] wav, CancellationToken ct = default)
    {
        if (wav.LongLength > RequestLimits.MaxSpeechBody)
        {
            return SpeechOutcome.Refused(SpeechRefusal.TooLarge, RequestLimits.SpeechTooLargeMessage());
        }

        WavAudio audio;
        try
        {
            audio = WavFile.Read(wav);
        }
        catch (InvalidDataException)
        {
            return SpeechOutcome.Refused(SpeechRefusal.InvalidAudio, Texts.Get("Simulation.InvalidAudio"));
        }

        if (audio.SampleRate is < Resampler.TelephoneRate or > 192_000)
        {
            return SpeechOutcome.Refused(SpeechRefusal.InvalidAudio, Texts.Get("Simulation.InvalidAudio"));
        }

        if (audio.Duration > TimeSpan.FromSeconds(RequestLimits.MaxSpeechSeconds))
        {
            return SpeechOutcome.Refused(SpeechRefusal.TooLarge, RequestLimits.SpeechTooLargeMessage());
        }

        // Check the session before paying for a transcription: unknown (not found) or ended (conflict).
        var state = await simulator.PeekAsync(tenantId, flowId, sessionId, ct);
        if (state.Kind != OutcomeKind.Ok)
        {
            return SpeechOutcome.Taken(new Outcome<FlowsApi.SpeechTurnResult>(state.Kind, Errors: state.Errors, Message: state.Message));
        }

        string? heard;
        try
        {
            heard = (await stt.TranscribeAsync(Resampler.Resample(audio.Samples, audio.SampleRate), ct))?.Trim();
        }
        catch (PortException ex)
        {
            logger.LogWarning("Speech recognition for simulation {SessionId} failed: {Reason}", sessionId, ex.Message);
            return SpeechOutcome.Refused(SpeechRefusal.RecognitionFailed, Texts.Get("Simulation.SpeechFailed"));
        }

        if (string.IsNullOrEmpty(heard))
        {
            return SpeechOutcome.Taken(Outcome<FlowsApi.SpeechTurnResult>.Ok(
                FlowsApi.SpeechTurnResult.From("", Texts.Get("Simulation.NothingHeard"), state.Value!)));
        }

        var outcome = await simulator.TurnAsync(tenantId, flowId, sessionId, heard, null, ct);
        return SpeechOutcome.Taken(outcome.Kind == OutcomeKind.Ok
            ? Outcome<FlowsApi.SpeechTurnResult>.Ok(FlowsApi.SpeechTurnResult.From(heard, null, outcome.Value!))
            : new Outcome<FlowsApi.SpeechTurnResult>(outcome.Kind, Errors: outcome.Errors, Message: outcome.Message));
    }
}
