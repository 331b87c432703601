using VoiceAgent.Platform.Numbers;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Cli;

/// <summary><c>numbers normalize</c> and <c>twilio signature</c>: operator aids, no database needed.</summary>
internal static class TelephonyCommands
{
    public static async Task<int> NormalizeAsync(string? input, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr)
    {
        NumberRegion? region = null;
        if (options.TryGetValue("region", out var value))
        {
            if (!PhoneNumbers.TryParseRegion(value, out var parsed))
            {
                await stderr.WriteLineAsync($"Unbekannte Region '{value}' (DE, AT oder CH).");
                return 2;
            }

            region = parsed;
        }

        var result = PhoneNumbers.Normalize(input, region);
        if (!result.IsValid)
        {
            await stderr.WriteLineAsync(result.Error);
            return 1;
        }

        await stdout.WriteLineAsync(result.E164);
        return 0;
    }

    public static async Task<int> SignatureAsync(Dictionary<string, string> options, IReadOnlyList<string> parameters, TextWriter stdout, TextWriter stderr)
    {
        if (!options.TryGetValue("auth-token", out var token) || !options.TryGetValue("url", out var url))
        {
            await stderr.WriteLineAsync("Aufruf: voiceagent twilio signature --auth-token T --url URL [--param k=v …]");
            return 2;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=');
            if (eq <= 0)
            {
                await stderr.WriteLineAsync($"Parameter '{p}' hat nicht die Form name=wert.");
                return 2;
            }

            pairs.Add(new(p[..eq], p[(eq + 1)..]));
        }

        await stdout.WriteLineAsync(TwilioSignature.Compute(token, url, pairs));
        return 0;
    }
}
