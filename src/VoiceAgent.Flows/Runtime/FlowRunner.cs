using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Runtime;

public sealed class FlowRunnerOptions
{
    /// <summary>Steps per run before the runner ends it as runaway (a loop that keeps the other side waiting).</summary>
    public int MaxSteps { get; set; } = 1000;

    /// <summary>Steps the run's <see cref="FlowTrace"/> keeps (the newest); 0 turns tracing off. The trace is saved with the
    /// run state every turn (≈ 350 B per step), so the cap bounds that write: a typical call has 20–60 steps, 200 keep a long
    /// one whole at ≈ 70 KB per turn.</summary>
    public int MaxTraceSteps { get; set; } = 200;
}

/// <summary>What one start or resume did: the nodes visited (for the simulator's trace) and where the run stands.</summary>
public sealed record RunResult(FlowStatus Status, IReadOnlyList<string> Visited, Bookmark? Bookmark);

/// <summary>
/// Executes a flow node by node until an activity waits (the run suspends with a bookmark, no thread is held) or the
/// flow ends. A failing port takes the activity's Failed outcome; anything else unexpected is recorded as an incident
/// and takes the Failed outcome too — the run never crashes. When a run ends without an activity ending it, the plan's
/// <see cref="IRunEndHandler"/>s close the conversation (the engine knows no channel, no caller, no call).
/// </summary>
public sealed class FlowRunner(IServiceProvider services, TimeProvider time, FlowRunnerOptions? options = null)
{
    private readonly FlowRunnerOptions options = options ?? new FlowRunnerOptions();

    public static FlowInstance NewInstance(FlowPlan plan, JsonObject? variables = null)
    {
        var instance = new FlowInstance();
        foreach (var variable in plan.Variables)
        {
            instance.Variables[variable.Name] = variable.Default?.DeepClone();
        }

        foreach (var (name, value) in variables ?? [])
        {
            instance.Variables[name] = value?.DeepClone();
        }

        return instance;
    }

    public ValueTask<RunResult> StartAsync(FlowPlan plan, FlowInstance instance, CancellationToken cancellationToken = default)
    {
        if (instance.CurrentNodeId is not null)
        {
            throw new InvalidOperationException("The run has already started.");
        }

        instance.Status = FlowStatus.Running;
        var trace = TraceRecorder.BeginTurn(instance, options.MaxTraceSteps);
        return RunAsync(plan, instance, plan.StartNodeId, [], trace, cancellationToken);
    }

    public async ValueTask<RunResult> ResumeAsync(FlowPlan plan, FlowInstance instance, Stimulus stimulus, CancellationToken cancellationToken = default)
    {
        if (instance.Status != FlowStatus.Suspended || instance.Bookmark is not { } bookmark)
        {
            throw new InvalidOperationException("The run is not waiting.");
        }

        if (bookmark.Kind != stimulus.Kind)
        {
            throw new InvalidOperationException($"The run waits for {bookmark.Kind}, not {stimulus.Kind}.");
        }

        if (!plan.HasNode(bookmark.NodeId))
        {
            throw new InvalidOperationException($"Node '{bookmark.NodeId}' is not in this flow version.");
        }

        instance.Bookmark = null;
        instance.Status = FlowStatus.Running;
        var trace = TraceRecorder.BeginTurn(instance, options.MaxTraceSteps);
        var node = plan.Node(bookmark.NodeId);
        List<string> visited = [node.Id];
        var (next, final) = await ExecuteAsync(plan, instance, node, stimulus, visited, trace, cancellationToken);
        return final ?? await RunAsync(plan, instance, next!, visited, trace, cancellationToken);
    }

    private async ValueTask<RunResult> RunAsync(FlowPlan plan, FlowInstance instance, string nodeId, List<string> visited,
        TraceRecorder? trace, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (instance.Steps >= options.MaxSteps)
            {
                var transcriptCount = instance.Transcript.Count;
                var ended = await EndRunawayAsync(plan, instance, nodeId, visited, cancellationToken);
                trace?.CloseLast(transcriptCount);
                return ended;
            }

            var node = plan.Node(nodeId);
            visited.Add(node.Id);
            EnterNode(instance, node.Id);
            var (next, final) = await ExecuteAsync(plan, instance, node, null, visited, trace, cancellationToken);
            if (final is not null)
            {
                return final;
            }

            nodeId = next!;
        }
    }

    // One step, traced: executes (or resumes) the node, then follows its outcome or ends the run.
    private async ValueTask<(string? Next, RunResult? Final)> ExecuteAsync(FlowPlan plan, FlowInstance instance, PlanNode node, Stimulus? stimulus,
        List<string> visited, TraceRecorder? trace, CancellationToken cancellationToken)
    {
        var step = trace?.Open(node, stimulus, time.GetUtcNow());
        if (stimulus?.ToTranscript(node.Id, time.GetUtcNow()) is { } line)
        {
            instance.Transcript.Add(line);
        }

        var result = await StepAsync(node, instance, stimulus, step?.Inputs, cancellationToken);
        var (next, final) = await AfterStepAsync(plan, instance, node, result, visited, cancellationToken);
        if (step is { } open)
        {
            trace!.Close(open, result, next);
        }

        return (next, final);
    }

    /// <summary>After a step: the next node to run, or the run's result when it suspends or ends.</summary>
    private async ValueTask<(string? Next, RunResult? Final)> AfterStepAsync(FlowPlan plan, FlowInstance instance, PlanNode node,
        ActivityResult result, List<string> visited, CancellationToken cancellationToken)
    {
        if (result.Bookmark is { } bookmark)
        {
            instance.Bookmark = bookmark;
            instance.Status = FlowStatus.Suspended;
            return (null, new RunResult(FlowStatus.Suspended, visited, bookmark));
        }

        if (result.Ends)
        {
            return (null, Complete(instance, visited, FlowStatus.Completed));
        }

        if (result.Outcome is { } outcome && node.Next.TryGetValue(outcome, out var next))
        {
            return (next, null);
        }

        if (result.Outcome == Outcomes.Failed)
        {
            // An unconnected Failed outcome: the handlers close the conversation (e.g. with an apology), never in silence.
            await RunEndedAsync(plan, instance, node.Id, RunEndReason.Failed, cancellationToken);
            return (null, Complete(instance, visited, FlowStatus.Faulted));
        }

        // An outcome that leads nowhere ends the flow (validation makes this the deliberate last node).
        await RunEndedAsync(plan, instance, node.Id, RunEndReason.Completed, cancellationToken);
        return (null, Complete(instance, visited, FlowStatus.Completed));
    }

    // Executes the node, or resumes it with the stimulus its bookmark waited for.
    private async ValueTask<ActivityResult> StepAsync(PlanNode node, FlowInstance instance, Stimulus? stimulus, Dictionary<string, JsonNode?>? tracedInputs,
        CancellationToken cancellationToken)
    {
        instance.Steps++;
        var context = new ActivityContext(instance, node.Id, services, time, cancellationToken);
        try
        {
            var activity = node.Instantiate(instance.Variables, tracedInputs);
            return stimulus is null ? await activity.ExecuteAsync(context) : await activity.ResumeAsync(context, stimulus);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var kind = IsPortFailure(ex) ? IncidentKinds.PortFailure : IncidentKinds.ActivityError;
            instance.Incidents.Add(new Incident(kind, node.Id, $"{ex.GetType().Name}: {ex.Message}", time.GetUtcNow()));
            return new ActivityResult(Outcomes.Failed, null, false);
        }
    }

    private static bool IsPortFailure(Exception ex) =>
        ex is PortException or TimeoutException or HttpRequestException or OperationCanceledException or IOException;

    private static void EnterNode(FlowInstance instance, string nodeId)
    {
        instance.CurrentNodeId = nodeId;
        if (instance.Counters.Count == 0)
        {
            return;
        }

        foreach (var key in instance.Counters.Keys)
        {
            if (key.Length > nodeId.Length && key[nodeId.Length] == ':' && key.StartsWith(nodeId, StringComparison.Ordinal))
            {
                instance.Counters.Remove(key);
            }
        }
    }

    private async ValueTask<RunResult> EndRunawayAsync(FlowPlan plan, FlowInstance instance, string nodeId, List<string> visited,
        CancellationToken cancellationToken)
    {
        instance.Incidents.Add(new Incident(IncidentKinds.StepLimit, nodeId,
            $"The flow exceeded {options.MaxSteps} steps and was ended.", time.GetUtcNow()));
        await RunEndedAsync(plan, instance, nodeId, RunEndReason.StepLimit, cancellationToken);
        return Complete(instance, visited, FlowStatus.Faulted);
    }

    private static RunResult Complete(FlowInstance instance, List<string> visited, FlowStatus status)
    {
        instance.Status = status;
        instance.Bookmark = null;
        return new RunResult(status, visited, null);
    }

    // A failing handler must not turn the end of a run into a crash: it becomes an incident, and the next handler runs.
    private async ValueTask RunEndedAsync(FlowPlan plan, FlowInstance instance, string nodeId, RunEndReason reason,
        CancellationToken cancellationToken)
    {
        foreach (var handler in plan.RunEndHandlers)
        {
            try
            {
                await handler.RunEndedAsync(new ActivityContext(instance, nodeId, services, time, cancellationToken), reason);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                instance.Incidents.Add(new Incident(IncidentKinds.PortFailure, nodeId, $"{handler.GetType().Name}: {ex.Message}", time.GetUtcNow()));
            }
        }
    }
}
