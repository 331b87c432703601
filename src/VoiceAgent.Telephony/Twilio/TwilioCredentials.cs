using System.Text;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>Account SID and auth token for HTTP Basic; the token never appears in ToString or logs.</summary>
public sealed record TwilioCredentials(string AccountSid, string AuthToken)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"AccountSid = {AccountSid}, AuthToken = {SecretHint.For(AuthToken)}");
        return true;
    }
}
