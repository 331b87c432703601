using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Runtime;

/// <summary>
/// Writes one turn (a start or a resumption) of a run into its <see cref="FlowTrace"/>. The variable changes of a step are
/// found by comparing with a copy taken before it, so a change is seen however an activity made it.
/// </summary>
internal sealed class TraceRecorder
{
    private readonly FlowInstance instance;
    private readonly FlowTrace trace;
    private readonly int maxSteps;
    private readonly int turn;
    private readonly Dictionary<string, JsonNode?> before = new(StringComparer.Ordinal);

    private TraceRecorder(FlowInstance instance, FlowTrace trace, int maxSteps)
    {
        this.instance = instance;
        this.trace = trace;
        this.maxSteps = maxSteps;
        turn = trace.Turns++;
        foreach (var (name, value) in instance.Variables)
        {
            before[name] = value?.DeepClone();
        }
    }

    /// <returns>Null when tracing is off (<paramref name="maxSteps"/> 0).</returns>
    public static TraceRecorder? BeginTurn(FlowInstance instance, int maxSteps)
    {
        if (maxSteps <= 0)
        {
            return null;
        }

        // A new run, or one stored before runs were traced: the trace starts from the variables as they are now.
        instance.Trace ??= new FlowTrace { Variables = Shorten(instance.Variables) };
        return new TraceRecorder(instance, instance.Trace, maxSteps);
    }

    /// <summary>Called before the step runs (and before its stimulus adds its transcript line).</summary>
    public OpenStep Open(PlanNode node, Stimulus? stimulus, DateTimeOffset at) =>
        new(node.Id, node.Type.Descriptor.Type, stimulus?.Kind, at, instance.Transcript.Count, new JsonObject());

    /// <summary>Called when the step is over: after the runner followed its outcome or ended the run (end handlers included).</summary>
    public void Close(OpenStep step, ActivityResult result, string? next)
    {
        var (set, removed) = Changes();
        Add(new TraceStep
        {
            Sequence = instance.Steps,
            Turn = turn,
            NodeId = step.NodeId,
            Type = step.Type,
            At = step.At,
            Resumed = step.Resumed,
            Inputs = step.Inputs.Count == 0 ? null : step.Inputs,
            Outcome = result.Outcome,
            Next = next,
            Waits = result.Bookmark?.Kind,
            Ends = result.Ends,
            Set = set,
            Removed = removed,
            Lines = LinesSince(step.TranscriptCount),
        });
    }

    /// <summary>
    /// What happened after the last step without a step of its own (the step limit ended the run): its lines and variable
    /// changes belong to the last step.
    /// </summary>
    public void CloseLast(int transcriptCount)
    {
        var (set, removed) = Changes();
        if (trace.Steps.Count == 0)
        {
            return;
        }

        var last = trace.Steps[^1];
        var lines = LinesSince(transcriptCount);
        var merged = last.Set?.DeepClone().AsObject();
        foreach (var (name, value) in set ?? [])
        {
            (merged ??= [])[name] = value?.DeepClone();
        }

        trace.Steps[^1] = last with
        {
            Set = merged,
            Removed = removed is null ? last.Removed : [.. last.Removed ?? [], .. removed],
            Lines = lines is null ? last.Lines : [.. last.Lines ?? [], .. lines],
        };
    }

    private List<int>? LinesSince(int transcriptCount) =>
        instance.Transcript.Count > transcriptCount ? [.. Enumerable.Range(transcriptCount, instance.Transcript.Count - transcriptCount)] : null;

    // The changes since the last look; the copy moves on to the current values.
    private (JsonObject? Set, List<string>? Removed) Changes()
    {
        JsonObject? set = null;
        foreach (var (name, value) in instance.Variables)
        {
            if (before.TryGetValue(name, out var old) && JsonNode.DeepEquals(old, value))
            {
                continue;
            }

            (set ??= [])[name] = TraceValues.Shorten(name, value);
            before[name] = value?.DeepClone();
        }

        List<string>? removed = null;
        foreach (var name in before.Keys.Where(name => !instance.Variables.ContainsKey(name)).ToList())
        {
            (removed ??= []).Add(name);
            before.Remove(name);
        }

        return (set, removed);
    }

    private void Add(TraceStep step)
    {
        trace.Steps.Add(step);
        while (trace.Steps.Count > maxSteps)
        {
            trace.Steps[0].ApplyTo(trace.Variables);
            trace.Steps.RemoveAt(0);
            trace.Dropped++;
        }
    }

    private static JsonObject Shorten(JsonObject variables)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in variables)
        {
            copy[name] = TraceValues.Shorten(name, value);
        }

        return copy;
    }
}

/// <summary>A step whose start is recorded; <see cref="Inputs"/> is filled while the activity's inputs are bound.</summary>
internal sealed record OpenStep(string NodeId, string Type, string? Resumed, DateTimeOffset At, int TranscriptCount, JsonObject Inputs);
