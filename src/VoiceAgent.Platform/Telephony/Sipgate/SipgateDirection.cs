namespace VoiceAgent.Platform.Telephony.Sipgate;

public enum SipgateDirection
{
    In,
    Out,
}
