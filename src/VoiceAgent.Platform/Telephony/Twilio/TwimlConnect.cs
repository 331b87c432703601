using System.Xml;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>The content of <c>&lt;Connect&gt;</c>; valid only inside the callback passed to <see cref="TwimlWriter.Connect"/>.</summary>
public sealed class TwimlConnect
{
    private readonly XmlWriter xml;
    private bool closed;
    private int streams;

    internal TwimlConnect(XmlWriter xml) => this.xml = xml;

    /// <summary>
    /// A bidirectional stream to <paramref name="url"/> (wss://). The URL takes no query string; per-call data goes into
    /// <see cref="TwimlStream.Parameter"/> elements, which arrive in the start message's customParameters.
    /// </summary>
    public TwimlConnect Stream(
        string url,
        Action<TwimlStream>? parameters = null,
        string? name = null,
        string? statusCallback = null,
        string statusCallbackMethod = "POST")
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException("A Stream URL takes no query string; pass per-call data as Parameter elements.", nameof(url));
        }

        TwimlNesting.EnsureOpen(closed, "Connect");
        xml.WriteStartElement("Stream");
        TwimlXml.Attribute(xml, "url", url);
        TwimlXml.Attribute(xml, "name", name);
        if (statusCallback is not null)
        {
            TwimlXml.Attribute(xml, "statusCallback", statusCallback);
            TwimlXml.Attribute(xml, "statusCallbackMethod", statusCallbackMethod);
        }

        var stream = new TwimlStream(xml);
        parameters?.Invoke(stream);
        stream.Close();
        xml.WriteEndElement();
        streams++;
        return this;
    }

    internal void Close()
    {
        closed = true;
        if (streams == 0)
        {
            throw new InvalidOperationException("Connect needs a Stream.");
        }
    }
}
