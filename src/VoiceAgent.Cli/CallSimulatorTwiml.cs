using System.Xml;
using System.Xml.Linq;

namespace VoiceAgent.Cli;

/// <summary>What the simulator needs from a TwiML answer (API-CONTRACTS.md §1.3): the spoken lines in document order and
/// how the call goes on — a speech <c>&lt;Gather&gt;</c>, a <c>&lt;Connect&gt;&lt;Stream&gt;</c>, a <c>&lt;Dial&gt;</c> or the end.</summary>
internal sealed record CallSimulatorTwiml(
    IReadOnlyList<string> Says, Uri? GatherAction, CallSimulatorStreamTarget? Stream, string? DialTarget, bool Hangup)
{
    public static readonly CallSimulatorTwiml Empty = new([], null, null, null, Hangup: false);

    /// <exception cref="CallSimulatorException">Not TwiML.</exception>
    public static CallSimulatorTwiml Parse(string xml, Uri requestUrl)
    {
        XElement root;
        try
        {
            root = XDocument.Parse(xml).Root ?? throw new XmlException("Kein Wurzelelement.");
        }
        catch (XmlException ex)
        {
            throw new CallSimulatorException($"Die Antwort von {requestUrl} ist kein gültiges TwiML: {ex.Message}");
        }

        if (root.Name.LocalName != "Response")
        {
            throw new CallSimulatorException($"Die Antwort von {requestUrl} ist kein TwiML (<{root.Name.LocalName}> statt <Response>).");
        }

        var says = root.Descendants("Say").Select(s => s.Value.Trim()).Where(s => s.Length > 0).ToList();
        var gather = root.Element("Gather")?.Attribute("action")?.Value;
        var connect = root.Element("Connect");
        var stream = connect?.Element("Stream");
        CallSimulatorStreamTarget? target = null;
        if (stream?.Attribute("url")?.Value is { Length: > 0 } streamUrl)
        {
            var parameters = stream.Elements("Parameter")
                .Where(p => p.Attribute("name") is not null)
                .ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")?.Value ?? "", StringComparer.Ordinal);
            target = new CallSimulatorStreamTarget(Resolve(requestUrl, streamUrl), parameters,
                connect!.Attribute("action")?.Value is { Length: > 0 } action ? Resolve(requestUrl, action) : null);
        }

        var dial = root.Element("Dial");
        var dialTarget = dial is null ? null : (dial.Element("Number")?.Value ?? dial.Value).Trim();
        return new CallSimulatorTwiml(says, gather is { Length: > 0 } ? Resolve(requestUrl, gather) : null, target, dialTarget,
            root.Element("Hangup") is not null);
    }

    // Twilio resolves relative verb URLs against the URL it requested.
    private static Uri Resolve(Uri requestUrl, string url) => new(requestUrl, url);
}

/// <summary>A bidirectional media stream to open; <paramref name="ConnectAction"/> is requested after the stream ends.</summary>
internal sealed record CallSimulatorStreamTarget(Uri Url, IReadOnlyDictionary<string, string> Parameters, Uri? ConnectAction);
