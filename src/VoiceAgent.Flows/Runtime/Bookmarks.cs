namespace VoiceAgent.Flows.Runtime;

/// <summary>Where a suspended run waits, and for what. Stored with the instance; any node of the cluster can resume it.</summary>
public sealed record Bookmark(string Kind, string NodeId, int? TimeoutSeconds = null);

public static class BookmarkKinds
{
    public const string CallerInput = "caller-input";
    public const string DialResult = "dial-result";
    public const string Timer = "timer";
}

/// <summary>What resumes a bookmark.</summary>
public abstract record Stimulus(string Kind);

/// <summary>The caller said something (speech already transcribed, or typed in the simulator).</summary>
public sealed record CallerInput(string Text) : Stimulus(BookmarkKinds.CallerInput);

/// <summary>The caller said nothing within the listen timeout.</summary>
public sealed record NoCallerInput() : Stimulus(BookmarkKinds.CallerInput);

/// <summary>The result of dialling a transfer target.</summary>
public sealed record DialResult(DialStatus Status) : Stimulus(BookmarkKinds.DialResult);

public sealed record TimerElapsed() : Stimulus(BookmarkKinds.Timer);

public enum DialStatus
{
    Connected,
    NoAnswer,
    Busy,
    Failed,
}
