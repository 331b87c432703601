using System.Text;
using System.Xml.Linq;
using VoiceAgent.Telephony.Sipgate;

namespace VoiceAgent.Platform.Tests.Sipgate;

public sealed class SipgateXmlTests
{
    private const string Declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

    private static readonly Uri Events = new("https://voice.example.de/sipgate/events");
    private static readonly Uri Greeting = new("https://media.example.de/greeting.wav");

    [Fact]
    public void Empty_response_is_a_bare_Response_element()
    {
        Assert.Equal(Declaration + "<Response />", SipgateXml.WriteString());
    }

    [Fact]
    public void Bytes_are_utf8_without_bom_and_content_type_is_application_xml()
    {
        var bytes = SipgateXml.Write(new SipgateAction.Hangup());

        Assert.Equal((byte)'<', bytes[0]);
        Assert.Equal(Declaration + "<Response><Hangup /></Response>", Encoding.UTF8.GetString(bytes));
        Assert.Equal("application/xml", SipgateXml.ContentType);
    }

    [Fact]
    public void Callbacks_are_attributes_on_Response()
    {
        var xml = SipgateXml.WriteString(onAnswer: new Uri("https://voice.example.de/sipgate/answer"), onHangup: new Uri("https://voice.example.de/sipgate/hangup"));

        Assert.Equal(Declaration + "<Response onAnswer=\"https://voice.example.de/sipgate/answer\" onHangup=\"https://voice.example.de/sipgate/hangup\" />", xml);
    }

    [Fact]
    public void Dial_writes_each_number_with_caller_id_and_anonymous()
    {
        var xml = SipgateXml.WriteString(SipgateAction.Dial.ToNumbers(["4921100000", "4915791234567"], callerId: "492111234567", anonymous: false), onHangup: Events);

        Assert.Equal(
            Declaration + "<Response onHangup=\"https://voice.example.de/sipgate/events\"><Dial callerId=\"492111234567\" anonymous=\"false\">"
            + "<Number>4921100000</Number><Number>4915791234567</Number></Dial></Response>",
            xml);
    }

    [Fact]
    public void Dial_without_options_has_no_attributes()
    {
        Assert.Equal(Declaration + "<Response><Dial><Number>4921100000</Number></Dial></Response>", SipgateXml.WriteString(SipgateAction.Dial.ToNumbers(["4921100000"])));
    }

    [Fact]
    public void Dial_to_voicemail()
    {
        Assert.Equal(Declaration + "<Response><Dial anonymous=\"true\"><Voicemail /></Dial></Response>", SipgateXml.WriteString(SipgateAction.Dial.ToVoicemail(anonymous: true)));
    }

    [Fact]
    public void Play_wraps_the_url()
    {
        Assert.Equal(
            Declaration + "<Response><Play><Url>https://media.example.de/greeting.wav</Url></Play></Response>",
            SipgateXml.WriteString(new SipgateAction.Play(Greeting)));
    }

    [Fact]
    public void Gather_defaults_to_one_digit_and_2000_ms_and_nests_the_announcement()
    {
        var xml = SipgateXml.WriteString(new SipgateAction.Gather(new Uri("https://voice.example.de/sipgate/dtmf"), announcement: Greeting));

        Assert.Equal(
            Declaration + "<Response><Gather onData=\"https://voice.example.de/sipgate/dtmf\" maxDigits=\"1\" timeout=\"2000\">"
            + "<Play><Url>https://media.example.de/greeting.wav</Url></Play></Gather></Response>",
            xml);
    }

    [Fact]
    public void Gather_with_digits_and_timeout_and_no_announcement()
    {
        var xml = SipgateXml.WriteString(new SipgateAction.Gather(new Uri("https://voice.example.de/sipgate/dtmf"), maxDigits: 4, timeout: TimeSpan.FromSeconds(7.5)));

        Assert.Equal(Declaration + "<Response><Gather onData=\"https://voice.example.de/sipgate/dtmf\" maxDigits=\"4\" timeout=\"7500\" /></Response>", xml);
    }

    [Theory]
    [InlineData(SipgateRejectReason.Rejected, "rejected")]
    [InlineData(SipgateRejectReason.Busy, "busy")]
    public void Reject_writes_the_reason(SipgateRejectReason reason, string written)
    {
        Assert.Equal(Declaration + $"<Response><Reject reason=\"{written}\" /></Response>", SipgateXml.WriteString(new SipgateAction.Reject(reason)));
    }

    [Fact]
    public void Reject_defaults_to_rejected()
    {
        Assert.Equal(Declaration + "<Response><Reject reason=\"rejected\" /></Response>", SipgateXml.WriteString(new SipgateAction.Reject()));
    }

    [Fact]
    public void Hangup_is_an_empty_element()
    {
        Assert.Equal(Declaration + "<Response><Hangup /></Response>", SipgateXml.WriteString(new SipgateAction.Hangup()));
    }

    [Fact]
    public void Urls_with_query_and_markup_characters_are_escaped_and_cannot_add_elements()
    {
        var hostile = new Uri("https://media.example.de/a.wav?x=1&y=\"/><Dial><Number>4990012345</Number></Dial><Play a=\"");
        var onAnswer = new Uri("https://voice.example.de/answer?t=1&r=\"><Hangup/>");

        var xml = SipgateXml.WriteString(new SipgateAction.Play(hostile), onAnswer: onAnswer);

        Assert.DoesNotContain("<Dial", xml);
        Assert.DoesNotContain("<Hangup", xml);
        Assert.Contains("&amp;", xml);
        var response = XDocument.Parse(xml).Root!;
        Assert.Equal(["Play"], response.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(hostile.AbsoluteUri, response.Element("Play")!.Element("Url")!.Value);
        Assert.Equal(onAnswer.AbsoluteUri, (string?)response.Attribute("onAnswer"));
    }

    [Theory]
    [InlineData("+4921100000")]
    [InlineData("0049 211 00000")]
    [InlineData("4921100000</Number><Number>4990012345")]
    [InlineData("")]
    [InlineData("1234567890123456")]
    public void Dial_refuses_anything_but_digits(string number)
    {
        Assert.Throws<ArgumentException>(() => SipgateAction.Dial.ToNumbers([number]));
        Assert.Throws<ArgumentException>(() => SipgateAction.Dial.ToVoicemail(callerId: number));
    }

    [Fact]
    public void Dial_takes_one_to_five_numbers()
    {
        Assert.Throws<ArgumentException>(() => SipgateAction.Dial.ToNumbers([]));
        Assert.Throws<ArgumentException>(() => SipgateAction.Dial.ToNumbers(["491", "492", "493", "494", "495", "496"]));
        Assert.Equal(5, SipgateAction.Dial.ToNumbers(["491", "492", "493", "494", "495"]).Numbers.Count);
    }

    [Theory]
    [InlineData("/relative/greeting.wav")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://media.example.de/greeting.wav")]
    [InlineData("file:///etc/passwd")]
    public void Only_absolute_http_urls_are_accepted(string url)
    {
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);

        Assert.Throws<ArgumentException>(() => new SipgateAction.Play(uri));
        Assert.Throws<ArgumentException>(() => new SipgateAction.Gather(uri));
        Assert.Throws<ArgumentException>(() => SipgateXml.Write(onHangup: uri));
    }

    [Fact]
    public void Gather_refuses_zero_digits_and_non_positive_timeouts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipgateAction.Gather(Events, maxDigits: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipgateAction.Gather(Events, timeout: TimeSpan.Zero));
    }
}
