using Microsoft.Extensions.Localization;

namespace VoiceAgent.Billing;

/// <summary>
/// A billing rule refused the request. It carries a code from <see cref="BillingErrorCodes"/> (the key of its text in
/// BillingTexts.resx) and the text's arguments, so each reader words it in its own language: a page through
/// <c>IStringLocalizer&lt;BillingTexts&gt;</c>, an endpoint in the request's culture. <see cref="Exception.Message"/> is the
/// text in the culture current where it was thrown, for logs and stored errors.
/// </summary>
public sealed class BillingException(string code, params object[] args) : Exception(BillingTexts.Format(code, args))
{
    public string Code { get; } = code;

    public IReadOnlyList<object> Args { get; } = args;

    /// <summary>The text in the localizer's (that is, the current UI) culture.</summary>
    public string Localize(IStringLocalizer<BillingTexts> texts) => texts[Code, [.. Args]];
}
