using System.Text;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>Shapes from API-CONTRACTS.md §1.4.</summary>
public sealed class MediaStreamMessageTests
{
    private const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private const string CallSid = "CA2f0e5c1b0ea4c5d6e7f8a9b0c1d2e3f4";
    private const string AccountSid = "AC" + "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Connected_is_parsed()
    {
        var message = Parse("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");

        Assert.Equal(new MediaStreamMessage.Connected("Call", "1.0.0"), message);
    }

    [Fact]
    public void Start_carries_custom_parameters_tracks_and_media_format()
    {
        var message = Parse($$$"""
            {"event":"start","sequenceNumber":"1","streamSid":"{{{StreamSid}}}",
             "start":{"streamSid":"{{{StreamSid}}}","accountSid":"{{{AccountSid}}}","callSid":"{{{CallSid}}}","tracks":["inbound"],
                      "customParameters":{"tenantId":"t1","callId":"42"},
                      "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1} } }
            """);

        var start = Assert.IsType<MediaStreamMessage.Start>(message);
        Assert.Equal((StreamSid, 1L, AccountSid, CallSid), (start.StreamSid, start.SequenceNumber, start.AccountSid, start.CallSid));
        Assert.Equal(["inbound"], start.Tracks);
        Assert.Equal(new Dictionary<string, string> { ["tenantId"] = "t1", ["callId"] = "42" }, start.CustomParameters);
        Assert.Equal(new MediaFormat("audio/x-mulaw", 8000, 1), start.MediaFormat);
        Assert.True(start.MediaFormat!.IsMuLaw8kHzMono);
    }

    [Fact]
    public void Media_decodes_the_payload_and_the_string_numbers()
    {
        var frame = Enumerable.Repeat((byte)0xFF, 160).ToArray();
        var message = Parse($$$"""
            {"event":"media","sequenceNumber":"3","streamSid":"{{{StreamSid}}}",
             "media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"{{{Convert.ToBase64String(frame)}}}"}}
            """);

        var media = Assert.IsType<MediaStreamMessage.Media>(message);
        Assert.Equal((StreamSid, 3L, "inbound", 2L, 40L), (media.StreamSid, media.SequenceNumber, media.Track, media.Chunk, media.Timestamp));
        Assert.Equal(frame, media.Payload.ToArray());
    }

    [Fact]
    public void Numbers_sent_as_json_numbers_are_accepted_too()
    {
        var media = Assert.IsType<MediaStreamMessage.Media>(Parse(
            $$$"""{"event":"media","sequenceNumber":7,"streamSid":"{{{StreamSid}}}","media":{"track":"inbound","chunk":6,"timestamp":120,"payload":"/w=="}}"""));

        Assert.Equal((7L, 6L, 120L), (media.SequenceNumber, media.Chunk, media.Timestamp));
        Assert.Equal([0xFF], media.Payload.ToArray());
    }

    [Fact]
    public void Dtmf_mark_and_stop_are_parsed()
    {
        Assert.Equal(
            new MediaStreamMessage.Dtmf(StreamSid, 5, "inbound_track", "1"),
            Parse($$$"""{"event":"dtmf","streamSid":"{{{StreamSid}}}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}"""));
        Assert.Equal(
            new MediaStreamMessage.Mark(StreamSid, 6, "greeting-done"),
            Parse($$$"""{"event":"mark","sequenceNumber":"6","streamSid":"{{{StreamSid}}}","mark":{"name":"greeting-done"}}"""));
        Assert.Equal(
            new MediaStreamMessage.Stop(StreamSid, 7, AccountSid, CallSid),
            Parse($$$"""{"event":"stop","sequenceNumber":"7","streamSid":"{{{StreamSid}}}","stop":{"accountSid":"{{{AccountSid}}}","callSid":"{{{CallSid}}}"}}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"payload":"AAAA""")]
    [InlineData("[1,2,3]")]
    [InlineData("\"connected\"")]
    [InlineData("""{"protocol":"Call"}""")]
    [InlineData("""{"event":"transcript","streamSid":"MZ1","transcript":{"text":"hi"}}""")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"***"}}""")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"track":"inbound","chunk":"x","timestamp":"0","payload":"/w=="}}""")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"track":"inbound","timestamp":"0","payload":"/w=="}}""")]
    [InlineData("""{"event":"media","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"/w=="}}""")]
    [InlineData("""{"event":"start","streamSid":"MZ1","start":{"accountSid":"AC1"}}""")]
    [InlineData("""{"event":"mark","streamSid":"MZ1","mark":{}}""")]
    [InlineData("""{"event":"dtmf","streamSid":"MZ1","dtmf":"1"}""")]
    [InlineData("""{"event":42}""")]
    public void Unknown_or_malformed_input_gives_null(string json) => Assert.Null(Parse(json));

    [Fact]
    public void Invalid_utf8_gives_null() => Assert.Null(MediaStreamMessage.Parse([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]));

    [Fact]
    public void Outbound_media_serializes_exactly_as_the_contract()
    {
        byte[] payload = [0xFF, 0x7F, 0x00, 0xFB, 0xEF];

        var json = new OutboundMediaStreamMessage.Media(StreamSid, payload).ToJson();

        Assert.Equal($$$"""{"event":"media","streamSid":"{{{StreamSid}}}","media":{"payload":"/38A++8="}}""", json);
    }

    [Fact]
    public void Outbound_mark_and_clear_serialize_exactly_as_the_contract()
    {
        Assert.Equal(
            $$$"""{"event":"mark","streamSid":"{{{StreamSid}}}","mark":{"name":"utterance-3+ende"}}""",
            new OutboundMediaStreamMessage.Mark(StreamSid, "utterance-3+ende").ToJson());
        Assert.Equal(
            $$$"""{"event":"clear","streamSid":"{{{StreamSid}}}"}""",
            new OutboundMediaStreamMessage.Clear(StreamSid).ToJson());
    }

    [Fact]
    public void Outbound_json_is_utf8_bytes_of_the_same_text()
    {
        var mark = new OutboundMediaStreamMessage.Mark(StreamSid, "Begrüßung \"fertig\"");

        Assert.Equal(mark.ToJson(), Encoding.UTF8.GetString(mark.ToUtf8Json()));
        Assert.Contains("Begrüßung \\\"fertig\\\"", mark.ToJson());
    }

    private static MediaStreamMessage? Parse(string json) => MediaStreamMessage.Parse(Encoding.UTF8.GetBytes(json));
}
