using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Twilio.TwiML;
using Twilio.TwiML.Voice;
using HttpMethod = Twilio.Http.HttpMethod;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// Our conventions on top of the SDK's <see cref="VoiceResponse"/> (API-CONTRACTS.md §1.3): speech in German, tenant
/// texts stripped of characters XML cannot carry (the SDK escapes markup, so a text never becomes a verb), dialling
/// only E.164 numbers, stream URLs without a query string. URLs may be absolute or relative to the webhook URL.
/// </summary>
public static partial class Twiml
{
    public const string German = "de-DE";

    /// <summary>Speaks <paramref name="text"/> in German (or <paramref name="language"/>) with an optional voice.</summary>
    public static VoiceResponse SayText(this VoiceResponse response, string text, string? voice = null, string language = German)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(text);
        return response.Say(Clean(text), voice: voice is null ? null : (Say.VoiceEnum)Clean(voice), language: language);
    }

    /// <summary>
    /// Listens for speech; the <paramref name="says"/> lines are spoken inside the Gather, so the caller can barge in.
    /// </summary>
    /// <param name="timeoutSeconds">Silence before Twilio gives up waiting; Twilio's default (5) when null.</param>
    /// <param name="hints">Words that help speech recognition; joined with commas.</param>
    public static VoiceResponse GatherSpeech(this VoiceResponse response, string action, IEnumerable<string>? says = null, int? timeoutSeconds = null,
        IEnumerable<string>? hints = null, string? voice = null, string language = German)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(action);
        var hintList = string.Join(", ", (hints ?? []).Select(Clean).Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()));
        var gather = new Gather(
            input: [Gather.InputEnum.Speech],
            action: new Uri(action, UriKind.RelativeOrAbsolute),
            method: HttpMethod.Post,
            timeout: timeoutSeconds,
            speechTimeout: "auto",
            language: language,
            hints: hintList.Length == 0 ? null : hintList,
            actionOnEmptyResult: true);
        foreach (var line in says ?? [])
        {
            gather.Say(Clean(line), voice: voice is null ? null : (Say.VoiceEnum)Clean(voice), language: language);
        }

        return response.Append(gather);
    }

    /// <summary>Connects the caller to one number; <paramref name="statusCallback"/> and its events go on the Number noun.</summary>
    /// <param name="e164">"+" and up to 15 digits; normalize tenant input before it gets here.</param>
    /// <param name="action">Receives DialCallStatus when the dialled leg ends; its TwiML continues the call.</param>
    public static VoiceResponse DialNumber(this VoiceResponse response, string e164, string action, int timeoutSeconds = 30, string? callerId = null,
        int? timeLimitSeconds = null, bool? answerOnBridge = null, string? statusCallback = null, IEnumerable<string>? statusCallbackEvents = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(e164);
        ArgumentNullException.ThrowIfNull(action);
        if (!E164().IsMatch(e164))
        {
            throw new ArgumentException("Dial needs an E.164 number such as +4930123456.", nameof(e164));
        }

        var dial = new Dial(action: new Uri(action, UriKind.RelativeOrAbsolute), method: HttpMethod.Post, timeout: timeoutSeconds, callerId: callerId,
            timeLimit: timeLimitSeconds, answerOnBridge: answerOnBridge, ringTone: Dial.RingToneEnum.De);
        dial.Number(
            new global::Twilio.Types.PhoneNumber(e164),
            statusCallbackEvent: statusCallbackEvents?.Select(e => (Number.EventEnum)e).ToList(),
            statusCallback: statusCallback is null ? null : new Uri(statusCallback, UriKind.RelativeOrAbsolute),
            statusCallbackMethod: statusCallback is null ? null : HttpMethod.Post);
        return response.Append(dial);
    }

    /// <summary>
    /// A bidirectional media stream to <paramref name="url"/> (wss://); the call continues at <paramref name="action"/>
    /// when the WebSocket closes. The URL takes no query string: per-call data goes into Parameter elements, which arrive
    /// in the start message's customParameters.
    /// </summary>
    public static VoiceResponse StreamTo(this VoiceResponse response, string url, IEnumerable<KeyValuePair<string, string>> parameters, string action,
        string? name = null, string? statusCallback = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);
        if (url.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException("A Stream URL takes no query string; pass per-call data as Parameter elements.", nameof(url));
        }

        var stream = new global::Twilio.TwiML.Voice.Stream(url: url, name: name, statusCallback: statusCallback,
            statusCallbackMethod: statusCallback is null ? null : global::Twilio.TwiML.Voice.Stream.StatusCallbackMethodEnum.Post);
        foreach (var (key, value) in parameters)
        {
            stream.Parameter(Clean(key), Clean(value));
        }

        var connect = new Connect(action: new Uri(action, UriKind.RelativeOrAbsolute), method: HttpMethod.Post);
        connect.Append(stream);
        return response.Append(connect);
    }

    /// <summary>The document as sent to Twilio: XML declaration (UTF-8, no BOM), no indentation.</summary>
    public static string ToXml(this VoiceResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>Drops characters that XML 1.0 cannot carry (tenant texts may contain them; the XML writer would throw).</summary>
    public static string Clean(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(c => char.IsSurrogate(c) || !XmlConvert.IsXmlChar(c)))
        {
            return value;
        }

        var clean = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (i + 1 < value.Length && char.IsSurrogatePair(value[i], value[i + 1]))
            {
                clean.Append(value, i++, 2);
            }
            else if (XmlConvert.IsXmlChar(value[i]))
            {
                clean.Append(value[i]);
            }
        }

        return clean.ToString();
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
