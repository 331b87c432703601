using System.Text.Encodings.Web;
using System.Text.Json;
using VoiceAgent.CallFlows;

namespace VoiceAgent.Designer.Console;

/// <summary>What a transcript line says; the view words it in the page language (agent and caller lines as they are).</summary>
public enum ConsoleLineKind
{
    /// <summary>The agent's line (Text).</summary>
    Agent,

    /// <summary>A typed answer (Text).</summary>
    Caller,

    /// <summary>A spoken answer as recognised (Text): "Sie sagten: …".</summary>
    Heard,

    /// <summary>A message from the server as it is (Text): nothing heard, a refused recording.</summary>
    Notice,

    /// <summary>The flow transferred the call (Text: the target).</summary>
    Transfer,

    /// <summary>An incident of the run (Text: its message).</summary>
    Incident,

    /// <summary>The run could not start or go on (Text: why).</summary>
    Failed,

    /// <summary>The flow has validation errors; nothing was started.</summary>
    Invalid,

    /// <summary>The canvas could not be saved (a conflict, the server refused); nothing was started.</summary>
    NotSaved,

    /// <summary>The browser refused the microphone.</summary>
    MicDenied,

    /// <summary>There is no microphone.</summary>
    MicMissing,

    /// <summary>The microphone is in use elsewhere.</summary>
    MicBusy,

    /// <summary>The page cannot record (no secure context, old browser).</summary>
    MicUnsupported,

    /// <summary>Recording failed otherwise (Text: the browser's message).</summary>
    MicFailed,
}

/// <summary>One line of the console's transcript.</summary>
public sealed record ConsoleLine(ConsoleLineKind Kind, string Text = "")
{
    /// <summary>"agent", "caller" or "system" (the line's data-role).</summary>
    public string Role => Kind switch
    {
        ConsoleLineKind.Agent => "agent",
        ConsoleLineKind.Caller or ConsoleLineKind.Heard => "caller",
        _ => "system",
    };
}

/// <summary>Where the test conversation is (the status line's data-state).</summary>
public enum ConsoleRunState
{
    Idle,
    Waiting,
    Ended,
    Failed,
}

/// <summary>The microphone: not recording, recording, or sending the recording (transcribing).</summary>
public enum MicState
{
    Idle,
    Recording,
    Sending,
}

/// <summary>
/// The test console's state, free of texts and services (the shell fills it, the view shows it): the transcript, the
/// session, where it waits, its variables and the trace of visited nodes accumulated over the turns.
/// </summary>
public sealed class ConsoleModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public List<ConsoleLine> Lines { get; } = [];

    /// <summary>Visited node ids over all turns, in order.</summary>
    public List<string> Visited { get; } = [];

    public Guid? SessionId { get; private set; }

    public ConsoleRunState State { get; private set; } = ConsoleRunState.Idle;

    /// <summary>The node the run is at (shown in the status line), or null.</summary>
    public string? CurrentNodeId { get; private set; }

    /// <summary>The variables after the last turn as indented JSON ("" before a run).</summary>
    public string Variables { get; private set; } = "";

    /// <summary>A request or the recorder is under way: no second action.</summary>
    public bool Busy { get; set; }

    public MicState Mic { get; set; }

    /// <summary>How the running recording captures ("worklet" or "script-processor").</summary>
    public string? Capture { get; set; }

    /// <summary>Counts the turns shown that wait for the caller (the view focuses the answer field when it changes).</summary>
    public int Prompts { get; private set; }

    /// <summary>Incidents accumulate over a session; only new ones become lines.</summary>
    private int incidentsShown;

    /// <summary>The caller may answer (typed or spoken).</summary>
    public bool Answerable => State == ConsoleRunState.Waiting && !Busy && Mic == MicState.Idle;

    /// <summary>Forgets the run (start and reset).</summary>
    public void Clear()
    {
        Lines.Clear();
        Visited.Clear();
        SessionId = null;
        State = ConsoleRunState.Idle;
        CurrentNodeId = null;
        Variables = "";
        incidentsShown = 0;
    }

    public void Add(ConsoleLineKind kind, string text = "") => Lines.Add(new ConsoleLine(kind, text));

    /// <summary>A spoken answer: what was heard (or the hint that nothing was), then its turn.</summary>
    public void Show(FlowsApi.SpeechTurnResult spoken)
    {
        if (spoken.Heard != "")
        {
            Add(ConsoleLineKind.Heard, spoken.Heard);
        }
        else if (spoken.Hint is { } hint)
        {
            Add(ConsoleLineKind.Notice, hint);
        }

        Show(new SimulationService.TurnResult(spoken.SessionId, spoken.Version, spoken.Status, spoken.Lines, spoken.Visited, spoken.CurrentNodeId,
            spoken.WaitingFor, spoken.Variables, spoken.Incidents, spoken.Transfers));
    }

    /// <summary>A turn: the agent's lines, transfers, new incidents; the state, variables and trace after it.</summary>
    public void Show(SimulationService.TurnResult turn)
    {
        SessionId = turn.SessionId;
        foreach (var line in turn.Lines)
        {
            Add(ConsoleLineKind.Agent, line);
        }

        foreach (var target in turn.Transfers)
        {
            Add(ConsoleLineKind.Transfer, target);
        }

        foreach (var incident in turn.Incidents.Skip(incidentsShown))
        {
            if (!string.IsNullOrEmpty(incident.Message))
            {
                Add(ConsoleLineKind.Incident, incident.Message);
            }
        }

        incidentsShown = turn.Incidents.Count;
        State = turn.Status == "suspended" ? ConsoleRunState.Waiting : ConsoleRunState.Ended;
        CurrentNodeId = turn.CurrentNodeId;
        Variables = turn.Variables.ToJsonString(Indented);
        Visited.AddRange(turn.Visited);
        if (State == ConsoleRunState.Waiting)
        {
            Prompts++;
        }
    }

    /// <summary>The run cannot go on: says why; the caller can only start over.</summary>
    public void Fail(ConsoleLineKind kind, string text = "")
    {
        Add(kind, text);
        State = ConsoleRunState.Failed;
        CurrentNodeId = null;
    }

    /// <summary>The node to highlight on the canvas: the one the run waits at, else none.</summary>
    public string? WaitingAt => State == ConsoleRunState.Waiting ? CurrentNodeId : null;
}
