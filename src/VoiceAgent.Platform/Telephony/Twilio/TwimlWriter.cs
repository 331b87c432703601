using System.Globalization;
using System.Text;
using System.Xml;

namespace VoiceAgent.Platform.Telephony.Twilio;

/// <summary>
/// Builds one TwiML <c>&lt;Response&gt;</c> (API-CONTRACTS.md §1.3) with XmlWriter, so tenant texts are always escaped
/// text and never verbs. Verbs appear in call order; <see cref="ToString"/> closes the document, after which the writer
/// takes no more verbs. URLs may be absolute or relative to the webhook URL, as Twilio allows.
/// </summary>
public sealed class TwimlWriter
{
    public const string German = "de-DE";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly MemoryStream buffer = new();
    private readonly XmlWriter xml;
    private string? document;

    public TwimlWriter()
    {
        xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = Utf8NoBom, Indent = false });
        xml.WriteStartDocument();
        xml.WriteStartElement("Response");
    }

    public TwimlWriter Say(string text, string language = German, string? voice = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        EnsureOpen();
        WriteSay(xml, text, language, voice);
        return this;
    }

    /// <summary>
    /// Listens for the caller; the <paramref name="says"/> lines are spoken as nested Say elements (in
    /// <paramref name="language"/> and <paramref name="voice"/>) while listening, so the caller can barge in.
    /// </summary>
    /// <param name="timeoutSeconds">Silence before Twilio gives up waiting for input; Twilio's default (5) when null.</param>
    /// <param name="hints">Words and phrases that help speech recognition; joined with commas.</param>
    public TwimlWriter Gather(
        string action,
        IEnumerable<string>? says = null,
        int? timeoutSeconds = null,
        string input = "speech",
        string language = German,
        string? voice = null,
        string method = "POST",
        string speechTimeout = "auto",
        bool actionOnEmptyResult = true,
        IEnumerable<string>? hints = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        EnsureOpen();
        xml.WriteStartElement("Gather");
        TwimlXml.Attribute(xml, "input", input);
        TwimlXml.Attribute(xml, "action", action);
        TwimlXml.Attribute(xml, "method", method);
        TwimlXml.Attribute(xml, "language", language);
        if (input.Contains("speech", StringComparison.Ordinal))
        {
            TwimlXml.Attribute(xml, "speechTimeout", speechTimeout);
        }

        TwimlXml.Attribute(xml, "timeout", Format(timeoutSeconds));
        TwimlXml.Attribute(xml, "actionOnEmptyResult", actionOnEmptyResult ? "true" : "false");
        var hintList = string.Join(", ", (hints ?? []).Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim()));
        TwimlXml.Attribute(xml, "hints", hintList.Length == 0 ? null : hintList);

        foreach (var line in says ?? [])
        {
            WriteSay(xml, line, language, voice);
        }

        xml.WriteEndElement();
        return this;
    }

    /// <summary>
    /// A bidirectional media stream; the call continues with the next verb or <paramref name="action"/> only after the
    /// WebSocket closes.
    /// </summary>
    public TwimlWriter Connect(Action<TwimlConnect> streams, string? action = null, string method = "POST")
    {
        ArgumentNullException.ThrowIfNull(streams);
        EnsureOpen();
        xml.WriteStartElement("Connect");
        if (action is not null)
        {
            TwimlXml.Attribute(xml, "action", action);
            TwimlXml.Attribute(xml, "method", method);
        }

        var connect = new TwimlConnect(xml);
        streams(connect);
        connect.Close();
        xml.WriteEndElement();
        return this;
    }

    /// <summary>Connects the caller to the numbers added in <paramref name="numbers"/> (all ring at once).</summary>
    /// <param name="action">Receives DialCallStatus when the dialled leg ends; its TwiML continues the call.</param>
    /// <param name="timeoutSeconds">How long the numbers ring.</param>
    /// <param name="ringTone">The ringback the caller hears before the callee answers (only with answerOnBridge).</param>
    public TwimlWriter Dial(
        string action,
        Action<TwimlDial> numbers,
        string method = "POST",
        int timeoutSeconds = 30,
        string? callerId = null,
        int? timeLimitSeconds = null,
        bool? answerOnBridge = null,
        string? ringTone = "de")
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(numbers);
        EnsureOpen();
        xml.WriteStartElement("Dial");
        TwimlXml.Attribute(xml, "action", action);
        TwimlXml.Attribute(xml, "method", method);
        TwimlXml.Attribute(xml, "timeout", Format(timeoutSeconds));
        TwimlXml.Attribute(xml, "callerId", callerId);
        TwimlXml.Attribute(xml, "timeLimit", Format(timeLimitSeconds));
        TwimlXml.Attribute(xml, "answerOnBridge", answerOnBridge is null ? null : answerOnBridge.Value ? "true" : "false");
        TwimlXml.Attribute(xml, "ringTone", ringTone);

        var dial = new TwimlDial(xml);
        numbers(dial);
        dial.Close();
        xml.WriteEndElement();
        return this;
    }

    /// <summary>Dials one E.164 number; <paramref name="statusCallback"/> and its events go on the Number noun.</summary>
    public TwimlWriter Dial(
        string number,
        string action,
        string method = "POST",
        int timeoutSeconds = 30,
        string? callerId = null,
        int? timeLimitSeconds = null,
        bool? answerOnBridge = null,
        string? ringTone = "de",
        string? statusCallback = null,
        string? statusCallbackEvent = null) =>
        Dial(action, d => d.Number(number, statusCallback, statusCallbackEvent), method, timeoutSeconds, callerId, timeLimitSeconds, answerOnBridge, ringTone);

    public TwimlWriter Pause(int lengthSeconds = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lengthSeconds);
        EnsureOpen();
        xml.WriteStartElement("Pause");
        TwimlXml.Attribute(xml, "length", Format(lengthSeconds));
        xml.WriteEndElement();
        return this;
    }

    public TwimlWriter Redirect(string url, string method = "POST")
    {
        ArgumentNullException.ThrowIfNull(url);
        EnsureOpen();
        xml.WriteStartElement("Redirect");
        TwimlXml.Attribute(xml, "method", method);
        TwimlXml.Text(xml, url);
        xml.WriteEndElement();
        return this;
    }

    public TwimlWriter Hangup()
    {
        EnsureOpen();
        xml.WriteStartElement("Hangup");
        xml.WriteEndElement();
        return this;
    }

    /// <summary>The complete document: XML declaration (UTF-8, no BOM) and the Response element.</summary>
    public override string ToString()
    {
        if (document is null)
        {
            xml.WriteEndElement();
            xml.WriteEndDocument();
            xml.Flush();
            document = Utf8NoBom.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            xml.Dispose();
        }

        return document;
    }

    internal static void WriteSay(XmlWriter xml, string text, string? language, string? voice)
    {
        xml.WriteStartElement("Say");
        TwimlXml.Attribute(xml, "voice", voice);
        TwimlXml.Attribute(xml, "language", language);
        TwimlXml.Text(xml, text);
        xml.WriteEndElement();
    }

    private static string? Format(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private void EnsureOpen()
    {
        if (document is not null)
        {
            throw new InvalidOperationException("The TwiML document is complete; ToString() has already closed it.");
        }
    }
}
