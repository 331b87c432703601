namespace VoiceAgent.Activities.Calls;

/// <summary>
/// The conversation the flow runs in: a phone call (Twilio, sipgate) or the text simulator. Saying is buffered or
/// streamed by the implementation; waiting for the caller is a bookmark, never a blocked thread.
/// </summary>
public interface ICallChannel
{
    ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken);

    /// <summary>Starts dialling a target; the result arrives later as a <see cref="DialResult"/> stimulus.</summary>
    ValueTask TransferAsync(string target, CancellationToken cancellationToken);

    ValueTask HangupAsync(CancellationToken cancellationToken);

    /// <summary>Fires when the caller speaks over the agent during this turn (realtime calls): work that only produces
    /// words for this turn (a streaming model answer) stops. Never fires on channels that speak after the turn.</summary>
    CancellationToken Interrupted => CancellationToken.None;

    /// <summary>True when what is said is heard while the flow still runs (realtime calls): then a model's answer is worth
    /// streaming phrase by phrase. Otherwise the turn's lines are said after it, a reply best as one line.</summary>
    bool SpeaksLive => false;
}

public readonly record struct SayOptions(string? Voice = null, bool Interruptible = true);
