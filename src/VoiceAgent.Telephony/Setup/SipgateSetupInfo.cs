namespace VoiceAgent.Telephony.Setup;

/// <summary>
/// What a tenant enters in sipgate's console. All pushes go to one URL: the console takes <see cref="IncomingUrl"/>;
/// <see cref="AnswerUrl"/> and <see cref="HangupUrl"/> are the same URL, which our answer to every new call asks sipgate
/// to use (onAnswer, onHangup), shown for completeness. <see cref="Steps"/> are the instructions in the UI language.
/// </summary>
public sealed record SipgateSetupInfo(Uri IncomingUrl, Uri AnswerUrl, Uri HangupUrl, IReadOnlyList<string> Steps);
