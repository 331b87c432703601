namespace VoiceAgent.Telephony.Setup;

/// <summary>Where a tenant's number lives: the platform's Twilio account, the tenant's own Twilio account, or sipgate.</summary>
public enum TelephonyAccount
{
    PlatformTwilio,
    OwnTwilio,
    Sipgate,
}
