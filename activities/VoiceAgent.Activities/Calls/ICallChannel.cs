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
}

public readonly record struct SayOptions(string? Voice = null, bool Interruptible = true);
