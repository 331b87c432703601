using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Ports;

// The few things one feature module asks of another. Modules never reference each other; each port is implemented by
// one module and registered in its AddX(), and the host composes them.

/// <summary>A value the designer offers and the German label it shows.</summary>
public sealed record Choice(string Value, string Label);

/// <summary>Runs one turn of a stored flow session (implemented by CallFlows, used by Telephony for phone calls).</summary>
public interface IFlowTurns
{
    /// <returns>The compiled plan (cached per version), or null when the stored version does not validate.</returns>
    FlowPlan? Compile(FlowVersion version);

    /// <param name="answerDial">Answers dial bookmarks at once (simulator); null leaves them for the telephony provider.</param>
    Task<FlowTurn> RunAsync(FlowSession session, FlowPlan plan, FlowInstance instance, Stimulus? stimulus, ICallChannel channel,
        IMessageBox messages, DialStatus? answerDial, CancellationToken ct);
}

/// <summary>One run of a session up to its next wait: the result, the nodes visited and the instance (already stored).</summary>
public sealed record FlowTurn(RunResult Result, IReadOnlyList<string> Visited, FlowInstance Instance);

/// <summary>A tenant's calendar for a run (implemented by Calendars, used by CallFlows).</summary>
public interface ITenantCalendars
{
    /// <summary>The active connection's calendar, else the tenant's sandbox calendar ("Testkalender"), whose bookings come
    /// back <see cref="BookingStatus.Pending"/> until the tenant confirmed it as its calendar.</summary>
    Task<ICalendarGateway> ForTenantAsync(Guid tenantId, CancellationToken ct);

    /// <summary>The calendars calls can book into, for the designer: the connected ones a calendar was chosen for, else the sandbox.</summary>
    Task<IReadOnlyList<Choice>> ChoicesAsync(Guid tenantId, CancellationToken ct);
}

/// <summary>The tenant's system prompt with its placeholders filled, or null when none is stored (implemented by CallFlows,
/// used by Telephony's OpenAI Realtime mode, where the speech model is told it directly).</summary>
public interface ITenantPromptText
{
    Task<string?> RenderAsync(Guid tenantId, CancellationToken ct);
}

/// <summary>The speech engines (implemented by Telephony, used by calls, the simulator and the designer).</summary>
public interface ISpeechEngines
{
    /// <summary>The platform default, for audio that belongs to no tenant: OpenAI when its key is stored, else espeak-ng
    /// without recognition.</summary>
    Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(CancellationToken ct);

    /// <summary>The tenant's choice (wizard step 2; the platform default when it chose none): recognition (null for the
    /// offline engine — calls then use gather mode) and synthesis speaking with the tenant's voice unless a flow names one
    /// of the same engine.</summary>
    Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(Guid tenantId, CancellationToken ct);

    /// <summary>The voices the Speak activity may name for this tenant: those of its engine.</summary>
    Task<IReadOnlyList<Choice>> VoicesAsync(Guid tenantId, CancellationToken ct);
}

/// <summary>Demo data a module adds to the seeded demo tenant (local development only).</summary>
public interface IDemoTenantSeed
{
    /// <summary>Lower runs first (flows need the call settings that are seeded before them).</summary>
    int Order { get; }

    Task SeedAsync(Guid tenantId, CancellationToken ct);
}
