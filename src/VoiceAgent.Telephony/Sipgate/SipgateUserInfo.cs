namespace VoiceAgent.Telephony.Sipgate;

/// <summary>GET /authorization/userinfo; <see cref="Sub"/> is the web-user id, e.g. "w0".</summary>
public sealed record SipgateUserInfo
{
    public required string Sub { get; init; }

    public string? Domain { get; init; }

    public string? MasterSipId { get; init; }

    public string? Locale { get; init; }
}
