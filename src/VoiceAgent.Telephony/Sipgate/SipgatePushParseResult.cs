using System.Diagnostics.CodeAnalysis;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>Either the parsed push or why the body was refused (English, for the log; never shown to callers).</summary>
public sealed record SipgatePushParseResult
{
    private SipgatePushParseResult(SipgatePush? push, string? error)
    {
        Push = push;
        Error = error;
    }

    public SipgatePush? Push { get; }

    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Push))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Push is not null;

    public static SipgatePushParseResult Success(SipgatePush push) => new(push, null);

    public static SipgatePushParseResult Failure(string error) => new(null, error);
}
