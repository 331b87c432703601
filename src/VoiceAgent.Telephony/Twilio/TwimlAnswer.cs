using System.Xml;
using System.Xml.Linq;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>What a caller-side simulator needs from a TwiML answer (API-CONTRACTS.md §1.3): the spoken lines in document
/// order and how the call goes on — a speech <c>&lt;Gather&gt;</c>, a <c>&lt;Connect&gt;&lt;Stream&gt;</c>, a
/// <c>&lt;Dial&gt;</c> or the end. Used by <c>voiceagent call simulate</c> and the setup wizard's test call.</summary>
public sealed record TwimlAnswer(
    IReadOnlyList<string> Says, Uri? GatherAction, TwimlStreamTarget? Stream, string? DialTarget, bool Hangup)
{
    public static readonly TwimlAnswer Empty = new([], null, null, null, Hangup: false);

    /// <exception cref="FormatException">Not TwiML (the message says why, in German).</exception>
    public static TwimlAnswer Parse(string xml, Uri requestUrl)
    {
        XElement root;
        try
        {
            root = XDocument.Parse(xml).Root ?? throw new XmlException("Kein Wurzelelement.");
        }
        catch (XmlException ex)
        {
            throw new FormatException($"Die Antwort von {requestUrl} ist kein gültiges TwiML: {ex.Message}");
        }

        if (root.Name.LocalName != "Response")
        {
            throw new FormatException($"Die Antwort von {requestUrl} ist kein TwiML (<{root.Name.LocalName}> statt <Response>).");
        }

        var says = root.Descendants("Say").Select(s => s.Value.Trim()).Where(s => s.Length > 0).ToList();
        var gather = root.Element("Gather")?.Attribute("action")?.Value;
        var connect = root.Element("Connect");
        var stream = connect?.Element("Stream");
        TwimlStreamTarget? target = null;
        if (stream?.Attribute("url")?.Value is { Length: > 0 } streamUrl)
        {
            var parameters = stream.Elements("Parameter")
                .Where(p => p.Attribute("name") is not null)
                .ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")?.Value ?? "", StringComparer.Ordinal);
            target = new TwimlStreamTarget(Resolve(requestUrl, streamUrl), parameters,
                connect!.Attribute("action")?.Value is { Length: > 0 } action ? Resolve(requestUrl, action) : null);
        }

        var dial = root.Element("Dial");
        var dialTarget = dial is null ? null : (dial.Element("Number")?.Value ?? dial.Value).Trim();
        return new TwimlAnswer(says, gather is { Length: > 0 } ? Resolve(requestUrl, gather) : null, target, dialTarget,
            root.Element("Hangup") is not null);
    }

    // Twilio resolves relative verb URLs against the URL it requested.
    private static Uri Resolve(Uri requestUrl, string url) => new(requestUrl, url);
}

/// <summary>A bidirectional media stream to open; <paramref name="ConnectAction"/> is requested after the stream ends.</summary>
public sealed record TwimlStreamTarget(Uri Url, IReadOnlyDictionary<string, string> Parameters, Uri? ConnectAction);
