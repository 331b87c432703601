using System.Globalization;
using System.Text;
using System.Xml;

namespace VoiceAgent.Telephony.Sipgate;

/// <summary>
/// Writes the XML answer to a push with XmlWriter, which escapes every attribute and text and refuses characters
/// XML cannot carry, so nothing from a caller or a URL can add elements.
/// </summary>
public static class SipgateXml
{
    public const string ContentType = "application/xml";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CheckCharacters = true,
    };

    /// <param name="action">Null answers with an empty Response: sipgate carries on as if nobody listened.</param>
    /// <param name="onAnswer">Where sipgate posts the answer push; without it none is sent.</param>
    /// <param name="onHangup">Where sipgate posts the hangup push; without it none is sent.</param>
    public static byte[] Write(SipgateAction? action = null, Uri? onAnswer = null, Uri? onHangup = null)
    {
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("Response");
            if (onAnswer is not null)
            {
                xml.WriteAttributeString("onAnswer", SipgateAction.HttpUrl(onAnswer, nameof(onAnswer)).AbsoluteUri);
            }

            if (onHangup is not null)
            {
                xml.WriteAttributeString("onHangup", SipgateAction.HttpUrl(onHangup, nameof(onHangup)).AbsoluteUri);
            }

            if (action is not null)
            {
                WriteAction(xml, action);
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }

    public static string WriteString(SipgateAction? action = null, Uri? onAnswer = null, Uri? onHangup = null) =>
        Encoding.UTF8.GetString(Write(action, onAnswer, onHangup));

    private static void WriteAction(XmlWriter xml, SipgateAction action)
    {
        switch (action)
        {
            case SipgateAction.Dial dial:
                xml.WriteStartElement("Dial");
                if (dial.CallerId is not null)
                {
                    xml.WriteAttributeString("callerId", dial.CallerId);
                }

                if (dial.Anonymous is { } anonymous)
                {
                    xml.WriteAttributeString("anonymous", anonymous ? "true" : "false");
                }

                if (dial.IsVoicemail)
                {
                    xml.WriteElementString("Voicemail", null);
                }

                foreach (var number in dial.Numbers)
                {
                    xml.WriteElementString("Number", number);
                }

                xml.WriteEndElement();
                break;
            case SipgateAction.Play play:
                WritePlay(xml, play);
                break;
            case SipgateAction.Gather gather:
                xml.WriteStartElement("Gather");
                xml.WriteAttributeString("onData", gather.OnData.AbsoluteUri);
                xml.WriteAttributeString("maxDigits", gather.MaxDigits.ToString(CultureInfo.InvariantCulture));
                xml.WriteAttributeString("timeout", ((long)gather.Timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                if (gather.Announcement is not null)
                {
                    WritePlay(xml, gather.Announcement);
                }

                xml.WriteEndElement();
                break;
            case SipgateAction.Reject reject:
                xml.WriteStartElement("Reject");
                xml.WriteAttributeString("reason", reject.Reason == SipgateRejectReason.Busy ? "busy" : "rejected");
                xml.WriteEndElement();
                break;
            case SipgateAction.Hangup:
                xml.WriteStartElement("Hangup");
                xml.WriteEndElement();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown sipgate action.");
        }
    }

    private static void WritePlay(XmlWriter xml, SipgateAction.Play play)
    {
        xml.WriteStartElement("Play");
        xml.WriteElementString("Url", play.Url.AbsoluteUri);
        xml.WriteEndElement();
    }
}
