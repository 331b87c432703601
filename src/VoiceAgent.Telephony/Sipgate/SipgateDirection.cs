namespace VoiceAgent.Telephony.Sipgate;

public enum SipgateDirection
{
    In,
    Out,
}
