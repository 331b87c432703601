namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// Either an E.164 number (<c>+4930123456</c>, the only form we store) or a stable <see cref="ErrorCode"/>
/// (see <see cref="NumberErrorCodes"/>) with a message in the current UI language.
/// </summary>
public sealed record NormalizedNumber(string? E164, string? ErrorCode, string? Error)
{
    public bool IsValid => E164 is not null;

    internal static NormalizedNumber Valid(string e164) => new(e164, null, null);

    internal static NormalizedNumber Invalid(string code) => new(null, code, NumberTexts.Get(code));
}
