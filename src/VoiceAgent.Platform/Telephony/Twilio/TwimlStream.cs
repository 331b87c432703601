using System.Xml;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>The content of <c>&lt;Stream&gt;</c>; valid only inside the callback passed to <see cref="TwimlConnect.Stream"/>.</summary>
public sealed class TwimlStream
{
    private readonly XmlWriter xml;
    private bool closed;

    internal TwimlStream(XmlWriter xml) => this.xml = xml;

    public TwimlStream Parameter(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        TwimlNesting.EnsureOpen(closed, "Stream");
        xml.WriteStartElement("Parameter");
        TwimlXml.Attribute(xml, "name", name);
        TwimlXml.Attribute(xml, "value", value);
        xml.WriteEndElement();
        return this;
    }

    internal void Close() => closed = true;
}
