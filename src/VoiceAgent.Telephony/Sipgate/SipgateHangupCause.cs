namespace VoiceAgent.Telephony.Sipgate;

public enum SipgateHangupCause
{
    NormalClearing,
    Busy,
    Cancel,
    NoAnswer,
    Congestion,
    NotFound,
    Forwarded,

    /// <summary>A cause sipgate added after this was written; the hangup still ends the call (and its billing).</summary>
    Other,
}
