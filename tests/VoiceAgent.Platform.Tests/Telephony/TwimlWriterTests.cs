using System.Xml.Linq;
using VoiceAgent.Platform.Telephony.Twilio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class TwimlWriterTests
{
    private const string Declaration = """<?xml version="1.0" encoding="utf-8"?>""";

    [Fact]
    public void Empty_writer_gives_a_declared_utf8_response_without_bom()
    {
        var document = new TwimlWriter().ToString();

        Assert.Equal(Declaration + "<Response />", document);
        Assert.NotEqual('\uFEFF', document[0]);
    }

    [Fact]
    public void Say_defaults_to_german_and_carries_the_voice()
    {
        var document = new TwimlWriter().Say("Guten Tag!").Say("Hallo", voice: "Polly.Vicki", language: "de-DE").ToString();

        Assert.Equal(
            Declaration + """<Response><Say language="de-DE">Guten Tag!</Say><Say voice="Polly.Vicki" language="de-DE">Hallo</Say></Response>""",
            document);
    }

    [Fact]
    public void Tenant_text_with_markup_stays_text_and_adds_no_verb()
    {
        const string hostile = "Danke.</Say><Dial>+4990012345678</Dial><Say>";

        var document = new TwimlWriter().Say(hostile).ToString();

        var response = XDocument.Parse(document).Root!;
        var say = Assert.Single(response.Elements());
        Assert.Equal("Say", say.Name.LocalName);
        Assert.Equal(hostile, say.Value);
        Assert.Empty(response.Descendants("Dial"));
        Assert.Contains("&lt;/Say&gt;&lt;Dial&gt;", document);
    }

    [Fact]
    public void Markup_in_attributes_is_escaped_too()
    {
        var document = new TwimlWriter().Say("x", voice: "\"><Hangup/><Say voice=\"").ToString();

        var response = XDocument.Parse(document).Root!;
        Assert.Single(response.Elements());
        Assert.Empty(response.Descendants("Hangup"));
        Assert.Equal("\"><Hangup/><Say voice=\"", (string?)response.Element("Say")!.Attribute("voice"));
    }

    [Fact]
    public void Characters_invalid_in_xml_are_stripped_instead_of_throwing()
    {
        var text = "Termin\u0000 am\u0001\u0008 Montag\u000B\u000C\uFFFE\uD800 um 9 Uhr\t\n😀";

        var document = new TwimlWriter().Say(text).Gather("/gather", says: ["Noch\u001F etwas?"], hints: ["Ter\u0002min"]).ToString();

        var response = XDocument.Parse(document).Root!;
        Assert.Equal("Termin am Montag um 9 Uhr\t\n😀", response.Element("Say")!.Value);
        Assert.Equal("Noch etwas?", response.Element("Gather")!.Element("Say")!.Value);
        Assert.Equal("Termin", (string?)response.Element("Gather")!.Attribute("hints"));
    }

    [Fact]
    public void Gather_listens_for_german_speech_with_nested_says()
    {
        var document = new TwimlWriter()
            .Gather("https://voice.example.com/telephony/twilio/gather", says: ["Wie kann ich helfen?", "Sagen Sie einfach Termin."], timeoutSeconds: 6, hints: ["Termin", "Absage"])
            .Redirect("https://voice.example.com/telephony/twilio/no-input")
            .ToString();

        Assert.Equal(
            Declaration + "<Response>"
            + """<Gather input="speech" action="https://voice.example.com/telephony/twilio/gather" method="POST" language="de-DE" speechTimeout="auto" timeout="6" actionOnEmptyResult="true" hints="Termin, Absage">"""
            + """<Say language="de-DE">Wie kann ich helfen?</Say><Say language="de-DE">Sagen Sie einfach Termin.</Say></Gather>"""
            + """<Redirect method="POST">https://voice.example.com/telephony/twilio/no-input</Redirect></Response>""",
            document);
    }

    [Fact]
    public void Gather_for_digits_only_has_no_speech_timeout()
    {
        var gather = XDocument.Parse(new TwimlWriter().Gather("/digits", input: "dtmf", actionOnEmptyResult: false).ToString()).Root!.Element("Gather")!;

        Assert.Null(gather.Attribute("speechTimeout"));
        Assert.Null(gather.Attribute("timeout"));
        Assert.Equal("false", (string?)gather.Attribute("actionOnEmptyResult"));
    }

    [Fact]
    public void Connect_stream_matches_the_contract_shape()
    {
        var document = new TwimlWriter()
            .Connect(
                c => c.Stream(
                    "wss://voice.example.com/telephony/twilio/stream",
                    s => s.Parameter("tenantId", "t1").Parameter("callId", "42"),
                    name: "agent",
                    statusCallback: "https://voice.example.com/telephony/twilio/stream-status"),
                action: "https://voice.example.com/telephony/twilio/stream-ended")
            .ToString();

        Assert.Equal(
            Declaration + "<Response>"
            + """<Connect action="https://voice.example.com/telephony/twilio/stream-ended" method="POST">"""
            + """<Stream url="wss://voice.example.com/telephony/twilio/stream" name="agent" statusCallback="https://voice.example.com/telephony/twilio/stream-status" statusCallbackMethod="POST">"""
            + """<Parameter name="tenantId" value="t1" /><Parameter name="callId" value="42" /></Stream></Connect></Response>""",
            document);
    }

    [Fact]
    public void Stream_url_with_query_string_is_refused()
    {
        var writer = new TwimlWriter();

        Assert.Throws<ArgumentException>(() => writer.Connect(c => c.Stream("wss://voice.example.com/stream?tenant=t1")));
    }

    [Fact]
    public void Dial_puts_status_callback_on_the_number_not_the_dial()
    {
        var document = new TwimlWriter()
            .Dial(
                "https://voice.example.com/telephony/twilio/dial",
                d => d.Number("+4930123456", "https://voice.example.com/telephony/twilio/status", "initiated ringing answered completed"),
                timeoutSeconds: 20,
                callerId: "+4989123456",
                timeLimitSeconds: 600,
                answerOnBridge: true)
            .ToString();

        Assert.Equal(
            Declaration + "<Response>"
            + """<Dial action="https://voice.example.com/telephony/twilio/dial" method="POST" timeout="20" callerId="+4989123456" timeLimit="600" answerOnBridge="true" ringTone="de">"""
            + """<Number statusCallbackEvent="initiated ringing answered completed" statusCallback="https://voice.example.com/telephony/twilio/status" statusCallbackMethod="POST">+4930123456</Number>"""
            + "</Dial></Response>",
            document);
    }

    [Fact]
    public void Single_number_dial_overload_writes_one_number()
    {
        var dial = XDocument.Parse(new TwimlWriter().Dial("+4930123456", action: "/dial").ToString()).Root!.Element("Dial")!;

        Assert.Equal("/dial", (string?)dial.Attribute("action"));
        Assert.Equal("30", (string?)dial.Attribute("timeout"));
        Assert.Equal("+4930123456", Assert.Single(dial.Elements("Number")).Value);
    }

    [Theory]
    [InlineData("030123456")]
    [InlineData("+49 30 123456")]
    [InlineData("+4930123456</Number><Number>+4990012345")]
    [InlineData("+4930123456\n")]
    public void Dial_refuses_anything_but_e164(string number)
    {
        var writer = new TwimlWriter();

        Assert.Throws<ArgumentException>(() => writer.Dial("/dial", d => d.Number(number)));
    }

    [Fact]
    public void Dial_without_number_and_connect_without_stream_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new TwimlWriter().Dial("/dial", _ => { }));
        Assert.Throws<InvalidOperationException>(() => new TwimlWriter().Connect(_ => { }));
    }

    [Fact]
    public void Pause_redirect_and_hangup()
    {
        var document = new TwimlWriter().Pause(2).Redirect("/next", method: "GET").Hangup().ToString();

        Assert.Equal(Declaration + """<Response><Pause length="2" /><Redirect method="GET">/next</Redirect><Hangup /></Response>""", document);
    }

    [Fact]
    public void Writer_is_closed_by_to_string_and_nested_builders_by_their_callback()
    {
        var writer = new TwimlWriter().Hangup();
        var first = writer.ToString();

        Assert.Equal(first, writer.ToString());
        Assert.Throws<InvalidOperationException>(() => writer.Say("zu spät"));

        TwimlDial? kept = null;
        _ = new TwimlWriter().Dial("/dial", d => kept = d.Number("+4930123456"));
        Assert.Throws<InvalidOperationException>(() => kept!.Number("+4930999999"));
    }

    [Fact]
    public void Umlauts_are_written_as_utf8_not_as_character_references()
    {
        var document = new TwimlWriter().Say("Grüß Gott, schöne Öffnungszeiten").ToString();

        Assert.Contains("Grüß Gott, schöne Öffnungszeiten", document);
        Assert.DoesNotContain("&#", document);
    }
}
