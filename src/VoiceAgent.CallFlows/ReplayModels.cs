using System.Text.Json.Nodes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Everything call replay needs to show a stored run (a phone call or a test-console session) in the designer, read-only, at
/// the version that ran: the definition, and the steps in order with the connection each took and the variables after it.
/// </summary>
/// <param name="CallId">The phone call the session belongs to; null for a test-console session.</param>
/// <param name="Kind">"call" or "simulation".</param>
/// <param name="Status">Where the run stands: running, suspended, completed or faulted.</param>
/// <param name="Definition">The definition of the version that ran (engine format, as <c>GET /api/flows/{id}/versions/{n}</c>).</param>
/// <param name="PathInDefinition">False when a step's node (with its type) or a taken connection is not in <paramref name="Definition"/>
/// any more: a draft edited after the run.</param>
/// <param name="Traced">False for runs stored before runs were traced: they have a transcript but no steps.</param>
/// <param name="DroppedSteps">The oldest steps not kept (a long or looping run); <paramref name="Variables"/> are where they left the run.</param>
/// <param name="Variables">The run's variables before the first step shown.</param>
/// <param name="Transcript">The whole transcript; <see cref="ReplayStep.Lines"/> are the lines of each step.</param>
public sealed record FlowReplay(
    Guid SessionId,
    string Kind,
    Guid? CallId,
    Guid FlowId,
    string FlowName,
    Guid VersionId,
    int Version,
    string VersionStatus,
    JsonNode? Definition,
    bool PathInDefinition,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    bool Traced,
    int DroppedSteps,
    JsonObject Variables,
    IReadOnlyList<ReplayStep> Steps,
    IReadOnlyList<ReplayLine> Transcript,
    IReadOnlyList<Incident> Incidents);

/// <summary>One execution or resumption of an activity.</summary>
/// <param name="Sequence">The run's step number (increases by one; starts above 1 when older steps were dropped).</param>
/// <param name="Turn">Which start or resumption of the run the step belongs to (0 = the start).</param>
/// <param name="Resumed">The kind of stimulus the activity was resumed with (e.g. "caller-input"); null when executed afresh.</param>
/// <param name="Inputs">The inputs as the activity got them (templates rendered, expressions evaluated; long texts cut, secrets left out).</param>
/// <param name="Outcome">The outcome it completed with; null when it waited or ended the run.</param>
/// <param name="Edge">The connection taken; null when the step waited, ended the run or its outcome leads nowhere.</param>
/// <param name="Waits">The bookmark kind the run waits for after the step.</param>
/// <param name="Ends">The activity ended the run.</param>
/// <param name="Changed">Names of the variables the step set, changed or removed.</param>
/// <param name="Variables">All variables after the step.</param>
/// <param name="Lines">The transcript lines the step produced (a resumed step's stimulus first, e.g. what the caller said).</param>
public sealed record ReplayStep(
    int Sequence,
    int Turn,
    string NodeId,
    string Type,
    DateTimeOffset At,
    string? Resumed,
    JsonObject Inputs,
    string? Outcome,
    ReplayEdge? Edge,
    string? Waits,
    bool Ends,
    IReadOnlyList<string> Changed,
    JsonObject Variables,
    IReadOnlyList<ReplayLine> Lines);

/// <summary>A connection of the definition: from a node's outcome to the next node.</summary>
public sealed record ReplayEdge(string Source, string Outcome, string Target);

/// <param name="Index">Position in the run's transcript.</param>
public sealed record ReplayLine(int Index, string Role, string Text, string? NodeId, DateTimeOffset At);
