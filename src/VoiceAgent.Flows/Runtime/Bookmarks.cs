namespace VoiceAgent.Flows.Runtime;

/// <summary>
/// Where a suspended run waits, and for what. Stored with the instance; any node of the cluster can resume it.
/// The kind is an open string: the activity that waits and the host that resumes agree on it (the engine knows none).
/// </summary>
public sealed record Bookmark(string Kind, string NodeId, int? TimeoutSeconds = null);

/// <summary>
/// What resumes a bookmark of the same <see cref="Kind"/>. The payloads are defined next to the activities that wait for
/// them, as Elsa's modules bring their own bookmark payloads.
/// </summary>
public abstract record Stimulus(string Kind)
{
    /// <summary>
    /// The transcript line the stimulus adds when it resumes the run (e.g. the words someone said), or null for none.
    /// </summary>
    public virtual TranscriptEntry? ToTranscript(string nodeId, DateTimeOffset at) => null;
}

/// <summary>A timer a run waited for has elapsed.</summary>
public sealed record TimerElapsed() : Stimulus(BookmarkKind)
{
    public const string BookmarkKind = "timer";
}
