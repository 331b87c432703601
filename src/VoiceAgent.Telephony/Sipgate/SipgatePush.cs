namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// One push from sipgate.io (API-CONTRACTS.md §2.1). Numbers stay exactly as sent: digits without "+", or
/// <see cref="Anonymous"/>; normalizing them is the caller's job.
/// </summary>
public abstract partial record SipgatePush(string CallId)
{
    public const string Anonymous = "anonymous";

    public static bool IsAnonymous(string number) => number == Anonymous;

    /// <summary>A forwarded or transferred call arrives as a new NewCall with a new call id.</summary>
    public sealed record NewCall(
        string From,
        string To,
        SipgateDirection Direction,
        string CallId,
        IReadOnlyList<string> Users,
        IReadOnlyList<string> UserIds,
        IReadOnlyList<string> FullUserIds,
        string? Xcid,
        string? OriginalCallId,
        string? Diversion) : SipgatePush(CallId);

    public sealed record Answer(
        string CallId,
        string From,
        string To,
        SipgateDirection Direction,
        string AnsweringNumber,
        string? User,
        string? UserId,
        string? FullUserId,
        string? Diversion) : SipgatePush(CallId);

    /// <summary><see cref="AnsweringNumber"/> is null when nobody answered (busy, cancel, no answer).</summary>
    public sealed record Hangup(
        SipgateHangupCause Cause,
        string CallId,
        string From,
        string To,
        SipgateDirection Direction,
        string? AnsweringNumber) : SipgatePush(CallId);

    /// <summary>The digits a Gather collected; may be empty (timeout) and may start with 0, so never a number.</summary>
    public sealed record Dtmf(string Digits, string CallId) : SipgatePush(CallId);
}
