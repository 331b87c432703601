using System.Xml.Linq;
using Twilio.TwiML;
using VoiceAgent.Telephony.Twilio;
using HttpMethod = Twilio.Http.HttpMethod;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>TwiML from the SDK's VoiceResponse with our conventions (<see cref="Twiml"/>): the same verbs, attributes and escaping.</summary>
public sealed class TwimlTests
{
    private const string Declaration = """<?xml version="1.0" encoding="utf-8"?>""";

    private static XElement Root(VoiceResponse response) => XDocument.Parse(response.ToXml()).Root!;

    private static Dictionary<string, string> Attributes(XElement element) =>
        element.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value);

    [Fact]
    public void Empty_response_gives_a_declared_utf8_response_without_bom()
    {
        var document = new VoiceResponse().ToXml();

        Assert.StartsWith(Declaration, document);
        Assert.Equal("Response", XDocument.Parse(document).Root!.Name.LocalName);
        Assert.Empty(XDocument.Parse(document).Root!.Nodes());
        Assert.NotEqual('\uFEFF', document[0]);
        Assert.DoesNotContain('\n', document);
    }

    [Fact]
    public void Say_defaults_to_german_and_carries_the_voice()
    {
        var says = Root(new VoiceResponse().SayText("Guten Tag!").SayText("Hallo", voice: "Polly.Vicki")).Elements().ToList();

        Assert.Equal(["Say", "Say"], says.Select(s => s.Name.LocalName));
        Assert.Equal(["Guten Tag!", "Hallo"], says.Select(s => s.Value));
        Assert.Equal(new Dictionary<string, string> { ["language"] = "de-DE" }, Attributes(says[0]));
        Assert.Equal(new Dictionary<string, string> { ["language"] = "de-DE", ["voice"] = "Polly.Vicki" }, Attributes(says[1]));
    }

    [Fact]
    public void Tenant_text_with_markup_stays_text_and_adds_no_verb()
    {
        const string hostile = "Danke.</Say><Dial>+4990012345678</Dial><Say>";

        var document = new VoiceResponse().SayText(hostile).ToXml();

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
        var response = Root(new VoiceResponse().SayText("x", voice: "\"><Hangup/><Say voice=\""));

        Assert.Single(response.Elements());
        Assert.Empty(response.Descendants("Hangup"));
        Assert.Equal("\"><Hangup/><Say voice=\"", (string?)response.Element("Say")!.Attribute("voice"));
    }

    [Fact]
    public void Characters_invalid_in_xml_are_stripped_instead_of_throwing()
    {
        var text = "Termin\u0000 am\u0001\u0008 Montag\u000B\u000C\uFFFE\uD800 um 9 Uhr\t\n😀";

        var response = Root(new VoiceResponse().SayText(text).GatherSpeech("/gather", says: ["Noch\u001F etwas?"], hints: ["Ter\u0002min"]));

        Assert.Equal("Termin am Montag um 9 Uhr\t\n😀", response.Element("Say")!.Value);
        Assert.Equal("Noch etwas?", response.Element("Gather")!.Element("Say")!.Value);
        Assert.Equal("Termin", (string?)response.Element("Gather")!.Attribute("hints"));
    }

    [Fact]
    public void Gather_listens_for_german_speech_with_nested_says()
    {
        var response = Root(new VoiceResponse()
            .GatherSpeech("https://voice.example.com/telephony/twilio/gather", says: ["Wie kann ich helfen?", "Sagen Sie einfach Termin."], timeoutSeconds: 6,
                hints: ["Termin", "Absage"])
            .Redirect(new Uri("https://voice.example.com/telephony/twilio/no-input"), HttpMethod.Post));

        Assert.Equal(["Gather", "Redirect"], response.Elements().Select(e => e.Name.LocalName));
        var gather = response.Element("Gather")!;
        Assert.Equal(new Dictionary<string, string>
        {
            ["input"] = "speech",
            ["action"] = "https://voice.example.com/telephony/twilio/gather",
            ["method"] = "POST",
            ["language"] = "de-DE",
            ["speechTimeout"] = "auto",
            ["timeout"] = "6",
            ["actionOnEmptyResult"] = "true",
            ["hints"] = "Termin, Absage",
        }, Attributes(gather));
        Assert.Equal(["Wie kann ich helfen?", "Sagen Sie einfach Termin."], gather.Elements("Say").Select(s => s.Value));
        Assert.All(gather.Elements("Say"), s => Assert.Equal("de-DE", (string?)s.Attribute("language")));
        var redirect = response.Element("Redirect")!;
        Assert.Equal(("POST", "https://voice.example.com/telephony/twilio/no-input"), ((string?)redirect.Attribute("method"), redirect.Value));
    }

    [Fact]
    public void Gather_without_timeout_leaves_twilios_default()
    {
        var gather = Root(new VoiceResponse().GatherSpeech("/gather")).Element("Gather")!;

        Assert.Null(gather.Attribute("timeout"));
        Assert.Null(gather.Attribute("hints"));
        Assert.Empty(gather.Elements());
    }

    [Fact]
    public void Connect_stream_matches_the_contract_shape()
    {
        var response = Root(new VoiceResponse().StreamTo(
            "wss://voice.example.com/telephony/twilio/stream",
            [new("tenantId", "t1"), new("callId", "42")],
            action: "https://voice.example.com/telephony/twilio/stream-ended",
            name: "agent",
            statusCallback: "https://voice.example.com/telephony/twilio/stream-status"));

        var connect = Assert.Single(response.Elements());
        Assert.Equal("Connect", connect.Name.LocalName);
        Assert.Equal(new Dictionary<string, string> { ["action"] = "https://voice.example.com/telephony/twilio/stream-ended", ["method"] = "POST" }, Attributes(connect));
        var stream = Assert.Single(connect.Elements());
        Assert.Equal("Stream", stream.Name.LocalName);
        Assert.Equal(new Dictionary<string, string>
        {
            ["url"] = "wss://voice.example.com/telephony/twilio/stream",
            ["name"] = "agent",
            ["statusCallback"] = "https://voice.example.com/telephony/twilio/stream-status",
            ["statusCallbackMethod"] = "POST",
        }, Attributes(stream));
        Assert.Equal(
            [new Dictionary<string, string> { ["name"] = "tenantId", ["value"] = "t1" }, new Dictionary<string, string> { ["name"] = "callId", ["value"] = "42" }],
            stream.Elements("Parameter").Select(Attributes));
    }

    [Fact]
    public void Stream_url_with_query_string_is_refused() =>
        Assert.Throws<ArgumentException>(() => new VoiceResponse().StreamTo("wss://voice.example.com/stream?tenant=t1", [], "/stream-ended"));

    [Fact]
    public void Dial_puts_status_callback_on_the_number_not_the_dial()
    {
        var response = Root(new VoiceResponse().DialNumber(
            "+4930123456",
            "https://voice.example.com/telephony/twilio/dial",
            timeoutSeconds: 20,
            callerId: "+4989123456",
            timeLimitSeconds: 600,
            answerOnBridge: true,
            statusCallback: "https://voice.example.com/telephony/twilio/status",
            statusCallbackEvents: ["initiated", "ringing", "answered", "completed"]));

        var dial = Assert.Single(response.Elements());
        Assert.Equal(new Dictionary<string, string>
        {
            ["action"] = "https://voice.example.com/telephony/twilio/dial",
            ["method"] = "POST",
            ["timeout"] = "20",
            ["callerId"] = "+4989123456",
            ["timeLimit"] = "600",
            ["answerOnBridge"] = "true",
            ["ringTone"] = "de",
        }, Attributes(dial));
        var number = Assert.Single(dial.Elements());
        Assert.Equal(("Number", "+4930123456"), (number.Name.LocalName, number.Value));
        Assert.Equal(new Dictionary<string, string>
        {
            ["statusCallbackEvent"] = "initiated ringing answered completed",
            ["statusCallback"] = "https://voice.example.com/telephony/twilio/status",
            ["statusCallbackMethod"] = "POST",
        }, Attributes(number));
    }

    [Fact]
    public void Single_number_dial_has_the_default_timeout_and_no_callback()
    {
        var dial = Root(new VoiceResponse().DialNumber("+4930123456", action: "/dial")).Element("Dial")!;

        Assert.Equal("/dial", (string?)dial.Attribute("action"));
        Assert.Equal("30", (string?)dial.Attribute("timeout"));
        var number = Assert.Single(dial.Elements("Number"));
        Assert.Equal("+4930123456", number.Value);
        Assert.Empty(number.Attributes());
    }

    [Theory]
    [InlineData("030123456")]
    [InlineData("+49 30 123456")]
    [InlineData("+4930123456</Number><Number>+4990012345")]
    [InlineData("+4930123456\n")]
    public void Dial_refuses_anything_but_e164(string number) =>
        Assert.Throws<ArgumentException>(() => new VoiceResponse().DialNumber(number, "/dial"));

    [Fact]
    public void Pause_redirect_and_hangup()
    {
        var response = Root(new VoiceResponse().Pause(2).Redirect(new Uri("/next", UriKind.Relative), HttpMethod.Get).Hangup());

        Assert.Equal(["Pause", "Redirect", "Hangup"], response.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("2", (string?)response.Element("Pause")!.Attribute("length"));
        Assert.Equal(("GET", "/next"), ((string?)response.Element("Redirect")!.Attribute("method"), response.Element("Redirect")!.Value));
        Assert.Empty(response.Element("Hangup")!.Nodes());
    }

    [Fact]
    public void Umlauts_are_written_as_utf8_not_as_character_references()
    {
        var document = new VoiceResponse().SayText("Grüß Gott, schöne Öffnungszeiten").ToXml();

        Assert.Contains("Grüß Gott, schöne Öffnungszeiten", document);
        Assert.DoesNotContain("&#", document);
    }
}
