using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Runtime;

/// <summary>What an activity step produced: an outcome to follow, a bookmark to wait at, or the end of the flow.</summary>
public readonly record struct ActivityResult(string? Outcome, Bookmark? Bookmark, bool Ends)
{
    public bool IsSuspended => Bookmark is not null;
}

/// <summary>
/// A flow activity. A fresh instance is created for each step with its inputs bound, so activities keep no state
/// between steps; what must survive a suspension goes into variables or counters of the <see cref="ActivityContext"/>.
/// </summary>
public abstract class Activity
{
    public abstract ValueTask<ActivityResult> ExecuteAsync(ActivityContext context);

    /// <summary>Called when the bookmark this activity created is resumed.</summary>
    public virtual ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Stimulus stimulus) =>
        throw new InvalidOperationException($"{GetType().Name} does not wait.");

    protected static ActivityResult Outcome(string outcome) => new(outcome, null, false);

    protected static ValueTask<ActivityResult> Completed(string outcome) => ValueTask.FromResult(Outcome(outcome));

    protected static ActivityResult End() => new(null, null, true);
}

/// <summary>An external dependency (calendar, model, webhook, mail) failed; the activity takes its Failed outcome.</summary>
public sealed class PortException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The step's view of the run: variables, counters, transcript, ports and the clock.</summary>
public sealed class ActivityContext
{
    internal ActivityContext(FlowInstance instance, string nodeId, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        Instance = instance;
        NodeId = nodeId;
        Services = services;
        Time = time;
        CancellationToken = cancellationToken;
    }

    public FlowInstance Instance { get; }
    public string NodeId { get; }
    public IServiceProvider Services { get; }
    public TimeProvider Time { get; }
    public CancellationToken CancellationToken { get; }

    public JsonObject Variables => Instance.Variables;

    public T Port<T>() where T : class =>
        Services.GetService(typeof(T)) as T ?? throw new InvalidOperationException($"No {typeof(T).Name} is registered for flows.");

    /// <summary>Stores a value in a run variable; the value is copied, so later changes to it do not leak in.</summary>
    public void Set(string name, JsonNode? value) => Instance.Variables[name] = value?.Parent is null ? value : value.DeepClone();

    public void Set(string name, string? value) => Instance.Variables[name] = value is null ? null : JsonValue.Create(value);

    public void Set(string name, bool value) => Instance.Variables[name] = JsonValue.Create(value);

    public void Set(string name, double value) => Instance.Variables[name] = JsonValue.Create(value);

    public string? GetString(string name) =>
        Instance.Variables.TryGetPropertyValue(name, out var node) && node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public JsonNode? Get(string name) => Instance.Variables.TryGetPropertyValue(name, out var node) ? node : null;

    public int Counter(string name) => Instance.Counters.GetValueOrDefault($"{NodeId}:{name}");

    public int Increment(string name) => Instance.Counters[$"{NodeId}:{name}"] = Counter(name) + 1;

    /// <summary>Adds a line to the run's transcript, attributed to this node.</summary>
    public void Transcribe(TranscriptRole role, string text) => Instance.Transcript.Add(new TranscriptEntry(role, text, NodeId, Time.GetUtcNow()));

    public ActivityResult Suspend(string kind, int? timeoutSeconds = null) => new(null, new Bookmark(kind, NodeId, timeoutSeconds), false);
}
