using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Runtime;

/// <summary>
/// Writes one turn (a start or a resumption) of a run into its <see cref="FlowTrace"/>. The variable changes of a step are
/// found by comparing with copies of the values taken when the turn began (and moved on with each change). Only variables
/// whose value node was replaced are compared in depth: <see cref="ActivityContext.Set(string, JsonNode?)"/> always stores a
/// new node, also when an activity changed the stored one in place before setting it (FindSlots' offered slots), which is
/// why a copy is compared, not the old node. (A node changed in place and never set is not seen; no activity does that.)
/// </summary>
internal sealed class TraceRecorder
{
    private readonly FlowInstance instance;
    private readonly FlowTrace trace;
    private readonly int maxSteps;
    private readonly int turn;
    private readonly Dictionary<string, (JsonNode? Node, JsonNode? Copy)> before = new(StringComparer.Ordinal);

    private TraceRecorder(FlowInstance instance, FlowTrace trace, int maxSteps)
    {
        this.instance = instance;
        this.trace = trace;
        this.maxSteps = maxSteps;
        turn = trace.Turns++;
        foreach (var (name, value) in instance.Variables)
        {
            before[name] = (value, Copy(value));
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
        new(node.Id, node.Type.Descriptor.Type, stimulus?.Kind, at, instance.Transcript.Count,
            node.Bindings.Length == 0 ? null : new Dictionary<string, JsonNode?>(node.Bindings.Length, StringComparer.Ordinal));

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
            Inputs = step.Inputs is { Count: > 0 } ? step.Inputs : null,
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
        var merged = last.Set is null ? null : new Dictionary<string, JsonNode?>(last.Set, StringComparer.Ordinal);
        foreach (var (name, value) in set ?? [])
        {
            (merged ??= new(StringComparer.Ordinal))[name] = value;
        }

        trace.Steps[^1] = last with
        {
            Set = merged,
            Removed = removed is null ? last.Removed : [.. last.Removed ?? [], .. removed],
            Lines = lines is null ? last.Lines : [.. last.Lines ?? [], .. lines],
        };
    }

    private List<int>? LinesSince(int transcriptCount)
    {
        if (instance.Transcript.Count <= transcriptCount)
        {
            return null;
        }

        var lines = new List<int>(instance.Transcript.Count - transcriptCount);
        for (var i = transcriptCount; i < instance.Transcript.Count; i++)
        {
            lines.Add(i);
        }

        return lines;
    }

    // The changes since the last look; the copy moves on to the current values.
    private (Dictionary<string, JsonNode?>? Set, List<string>? Removed) Changes()
    {
        Dictionary<string, JsonNode?>? set = null;
        foreach (var (name, value) in instance.Variables)
        {
            if (before.TryGetValue(name, out var old))
            {
                if (ReferenceEquals(old.Node, value))
                {
                    continue;
                }

                if (JsonNode.DeepEquals(old.Copy, value))
                {
                    before[name] = (value, old.Copy);
                    continue;
                }
            }

            var traced = TraceValues.Shorten(name, value, out var exact);
            (set ??= new(StringComparer.Ordinal))[name] = traced;
            // The trace's copy doubles as the one to compare with when nothing was cut from it (neither is ever changed).
            before[name] = (value, exact ? traced : Copy(value));
        }

        // Every current name is in the copies now, so more copies than variables means some were removed.
        List<string>? removed = null;
        if (before.Count > instance.Variables.Count)
        {
            foreach (var name in before.Keys.Where(name => !instance.Variables.ContainsKey(name)).ToList())
            {
                (removed ??= []).Add(name);
                before.Remove(name);
            }
        }

        return (set, removed);
    }

    // A JSON value cannot change in place (only be replaced), so only objects and arrays need a copy.
    private static JsonNode? Copy(JsonNode? value) => value is JsonValue ? value : value?.DeepClone();

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
internal readonly record struct OpenStep(string NodeId, string Type, string? Resumed, DateTimeOffset At, int TranscriptCount,
    Dictionary<string, JsonNode?>? Inputs);
