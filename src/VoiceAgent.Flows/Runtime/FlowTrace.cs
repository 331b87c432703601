using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoiceAgent.Flows.Runtime;

/// <summary>
/// What a run did, step by step, so that it can be replayed after it ended (as Elsa Studio's workflow instance viewer does):
/// every execution or resumption of an activity with its evaluated inputs, the outcome and the connection it took, the
/// variables it changed and the transcript lines it produced. It is part of the <see cref="FlowInstance"/>, so it is stored
/// with the run's state and resumes with it on any node. Bounded: beyond <see cref="FlowRunnerOptions.MaxTraceSteps"/> the
/// oldest steps are dropped and their changes folded into <see cref="Variables"/>, so a looping flow cannot grow it without end.
/// </summary>
public sealed class FlowTrace
{
    /// <summary>The run's variables before the first step kept: the start values, or where the dropped steps left them.</summary>
    public JsonObject Variables { get; set; } = [];

    /// <summary>How many of the oldest steps were dropped to keep the trace within its cap.</summary>
    public int Dropped { get; set; }

    /// <summary>How often the run was started or resumed since the trace began; a step's <see cref="TraceStep.Turn"/> counts from 0.</summary>
    public int Turns { get; set; }

    public List<TraceStep> Steps { get; set; } = [];

    [JsonIgnore]
    public bool Truncated => Dropped > 0;

    /// <summary>The steps in order, each with the run's variables after it (<see cref="Variables"/> with the changes applied).</summary>
    public IEnumerable<(TraceStep Step, JsonObject VariablesAfter)> Replay()
    {
        var current = (JsonObject)Variables.DeepClone();
        foreach (var step in Steps)
        {
            step.ApplyTo(current);
            yield return (step, (JsonObject)current.DeepClone());
        }
    }
}

/// <summary>
/// One execution or resumption of an activity. Values (inputs, changed variables) are shortened for the trace: long texts are
/// cut, long lists trimmed, and values under secret-looking names or the query of a URL replaced (see <see cref="TraceValues"/>).
/// </summary>
public sealed record TraceStep
{
    /// <summary>The run's step number (<see cref="FlowInstance.Steps"/> after this step); increases by one per step.</summary>
    public int Sequence { get; init; }

    /// <summary>Which start or resumption of the run the step belongs to (0 = the start).</summary>
    public int Turn { get; init; }

    public required string NodeId { get; init; }

    /// <summary>The activity type of the node in the version that ran.</summary>
    public required string Type { get; init; }

    /// <summary>When the step began (the runner's clock).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The kind of the stimulus the activity was resumed with; null when it was executed afresh.</summary>
    public string? Resumed { get; init; }

    /// <summary>The inputs the node binds, as the activity got them (templates rendered, expressions evaluated).</summary>
    public Dictionary<string, JsonNode?>? Inputs { get; init; }

    /// <summary>The outcome the activity completed with; null when it waited or ended the run itself.</summary>
    public string? Outcome { get; init; }

    /// <summary>The node the outcome's connection leads to; null when the outcome leads nowhere (the run ended).</summary>
    public string? Next { get; init; }

    /// <summary>The bookmark kind the run waits for after this step; null when it did not wait.</summary>
    public string? Waits { get; init; }

    /// <summary>The activity ended the run itself.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Ends { get; init; }

    /// <summary>Variables the step set or changed, with their new values.</summary>
    public Dictionary<string, JsonNode?>? Set { get; init; }

    /// <summary>Variables the step removed.</summary>
    public IReadOnlyList<string>? Removed { get; init; }

    /// <summary>Indices into <see cref="FlowInstance.Transcript"/> of the lines the step produced (its stimulus's line first).</summary>
    public IReadOnlyList<int>? Lines { get; init; }

    /// <summary>Applies the step's variable changes to <paramref name="variables"/>.</summary>
    public void ApplyTo(JsonObject variables)
    {
        foreach (var (name, value) in Set ?? [])
        {
            variables[name] = value?.DeepClone();
        }

        foreach (var name in Removed ?? [])
        {
            variables.Remove(name);
        }
    }
}
