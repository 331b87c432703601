using System.Globalization;
using System.Text;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>A form body and its X-Twilio-Signature, prepared before a run so the driver only sends.</summary>
internal sealed record SignedWebhook(byte[] Body, string Signature)
{
    /// <summary>
    /// Inbound-call webhooks with the parameters Twilio sends (API-CONTRACTS.md §1.2), one distinct CallSid each, signed
    /// for <paramref name="url"/> exactly as Twilio signs.
    /// </summary>
    public static SignedWebhook[] InboundCalls(string url, string authToken, string to, int count, int run)
    {
        var calls = new SignedWebhook[count];
        for (var i = 0; i < count; i++)
        {
            var form = new Dictionary<string, string>
            {
                ["AccountSid"] = TwilioStreamMessages.AccountSid,
                ["ApiVersion"] = "2010-04-01",
                ["CallSid"] = string.Create(CultureInfo.InvariantCulture, $"CA{run:x8}{i:x24}"),
                ["CallStatus"] = "ringing",
                ["Called"] = to,
                ["CalledCity"] = "BERLIN",
                ["CalledCountry"] = "DE",
                ["CalledState"] = "",
                ["CalledZip"] = "",
                ["Caller"] = "+491701234567",
                ["CallerCity"] = "",
                ["CallerCountry"] = "DE",
                ["CallerState"] = "",
                ["CallerZip"] = "",
                ["Direction"] = "inbound",
                ["From"] = "+491701234567",
                ["FromCity"] = "",
                ["FromCountry"] = "DE",
                ["FromState"] = "",
                ["FromZip"] = "",
                ["To"] = to,
                ["ToCity"] = "BERLIN",
                ["ToCountry"] = "DE",
                ["ToState"] = "",
                ["ToZip"] = "",
            };
            var body = string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
            calls[i] = new SignedWebhook(Encoding.UTF8.GetBytes(body), TwilioSignature.Compute(authToken, url, form));
        }

        return calls;
    }
}
