using System.Text.RegularExpressions;
using System.Xml;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>The content of <c>&lt;Dial&gt;</c>; valid only inside the callback passed to <see cref="TwimlWriter.Dial(string, Action{TwimlDial}, string, int, string?, int?, bool?, string?)"/>.</summary>
public sealed partial class TwimlDial
{
    private readonly XmlWriter xml;
    private bool closed;
    private int numbers;

    internal TwimlDial(XmlWriter xml) => this.xml = xml;

    /// <param name="e164">"+" and up to 15 digits; normalize tenant input before it gets here.</param>
    /// <param name="statusCallback">Call progress for this leg (statusCallback is a Number attribute, not a Dial one).</param>
    /// <param name="statusCallbackEvent">Space-separated: initiated ringing answered completed.</param>
    public TwimlDial Number(string e164, string? statusCallback = null, string? statusCallbackEvent = null, string statusCallbackMethod = "POST")
    {
        ArgumentNullException.ThrowIfNull(e164);
        if (!E164().IsMatch(e164))
        {
            throw new ArgumentException("Dial needs an E.164 number such as +4930123456.", nameof(e164));
        }

        TwimlNesting.EnsureOpen(closed, "Dial");
        xml.WriteStartElement("Number");
        TwimlXml.Attribute(xml, "statusCallbackEvent", statusCallbackEvent);
        if (statusCallback is not null)
        {
            TwimlXml.Attribute(xml, "statusCallback", statusCallback);
            TwimlXml.Attribute(xml, "statusCallbackMethod", statusCallbackMethod);
        }

        xml.WriteString(e164);
        xml.WriteEndElement();
        numbers++;
        return this;
    }

    internal void Close()
    {
        closed = true;
        if (numbers == 0)
        {
            throw new InvalidOperationException("Dial needs a Number.");
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
