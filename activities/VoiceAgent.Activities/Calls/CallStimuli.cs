using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calls;

// The bookmark payloads of a phone call: Listen and Handoff wait for the caller, Transfer and Handoff for a dial result.
// The kind strings are stored with suspended runs (flow_sessions.state), so they never change.

public static class BookmarkKinds
{
    public const string CallerInput = "caller-input";
    public const string DialResult = "dial-result";
}

/// <summary>The caller said something (speech already transcribed, or typed in the simulator).</summary>
public sealed record CallerInput(string Text) : Stimulus(BookmarkKinds.CallerInput)
{
    public override TranscriptEntry? ToTranscript(string nodeId, DateTimeOffset at) => new(TranscriptRole.Caller, Text, nodeId, at);
}

/// <summary>The caller said nothing within the listen timeout.</summary>
public sealed record NoCallerInput() : Stimulus(BookmarkKinds.CallerInput);

/// <summary>The result of dialling a transfer target.</summary>
public sealed record DialResult(DialStatus Status) : Stimulus(BookmarkKinds.DialResult);

public enum DialStatus
{
    Connected,
    NoAnswer,
    Busy,
    Failed,
}
