namespace VoiceAgent.Telephony.Sipgate;

public enum SipgateRejectReason
{
    Rejected,

    /// <summary>The caller hears a busy tone.</summary>
    Busy,
}
