using System.Text;
using System.Xml;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>
/// Writes text and attributes with characters that XML 1.0 cannot carry removed: tenant texts may contain control
/// characters, on which XmlWriter would throw. Escaping itself is XmlWriter's job, so text can never become markup.
/// </summary>
internal static class TwimlXml
{
    public static void Attribute(XmlWriter xml, string name, string? value)
    {
        if (value is not null)
        {
            xml.WriteAttributeString(name, Clean(value));
        }
    }

    public static void Text(XmlWriter xml, string value) => xml.WriteString(Clean(value));

    public static string Clean(string value)
    {
        var firstInvalid = IndexOfInvalid(value);
        if (firstInvalid < 0)
        {
            return value;
        }

        var clean = new StringBuilder(value.Length);
        clean.Append(value, 0, firstInvalid);
        for (var i = firstInvalid; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                clean.Append(c).Append(value[i + 1]);
                i++;
            }
            else if (XmlConvert.IsXmlChar(c))
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    private static int IndexOfInvalid(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(c))
            {
                return i;
            }
        }

        return -1;
    }
}
