using System.Text;
using VoiceAgent.Telephony.Sipgate;

namespace VoiceAgent.Platform.Tests.Sipgate;

public sealed class SipgatePushParseTests
{
    /// <summary>The curl simulation from API-CONTRACTS.md §2.1, byte for byte.</summary>
    private const string CurlNewCall =
        "event=newCall&from=492111234567&to=4915791234567&direction=in&callId=123456&user[]=Alice&userId[]=w0&fullUserId[]=1234567w0";

    [Fact]
    public void Curl_newCall_from_the_contract_parses_into_a_NewCall_with_numbers_as_sent()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall));

        Assert.Equal(("492111234567", "4915791234567", SipgateDirection.In, "123456"), (call.From, call.To, call.Direction, call.CallId));
        Assert.Equal(["Alice"], call.Users);
        Assert.Equal(["w0"], call.UserIds);
        Assert.Equal(["1234567w0"], call.FullUserIds);
        Assert.Equal((null, null, null), (call.Xcid, call.OriginalCallId, call.Diversion));
    }

    [Fact]
    public void Sdk_style_indexed_and_percent_encoded_brackets_give_the_same_lists()
    {
        // The shape qs.stringify produces in the Node SDK's tests, with a call id filled in.
        var body = "callId=abc&direction=in&event=newCall&from=4912354678&fullUserId%5B%5D%5B0%5D=123456789&originalCallId=&to=49999999"
                   + "&user%5B%5D%5B0%5D=TestUser&userId%5B%5D%5B0%5D=123456789&xcid=";

        var call = Assert.IsType<SipgatePush.NewCall>(Parse(body));

        Assert.Equal(["TestUser"], call.Users);
        Assert.Equal(["123456789"], call.UserIds);
        Assert.Equal(["123456789"], call.FullUserIds);
        Assert.Null(call.OriginalCallId);
        Assert.Null(call.Xcid);
    }

    [Fact]
    public void Repeated_users_keep_their_order_and_plus_and_percent_escapes_decode_to_utf8()
    {
        var body = "event=newCall&from=492111234567&to=4915791234567&direction=in&callId=1"
                   + "&user[]=Alice&user[]=Bob+M%C3%BCller&user[]=J%C3%BCrgen%20Sch%C3%A4fer"
                   + "&userId[]=w0&userId[]=w1&userId[]=w2&fullUserId[]=1234567w0&fullUserId[]=1234567w1&fullUserId[]=1234567w2";

        var call = Assert.IsType<SipgatePush.NewCall>(Parse(body));

        Assert.Equal(["Alice", "Bob Müller", "Jürgen Schäfer"], call.Users);
        Assert.Equal(["w0", "w1", "w2"], call.UserIds);
    }

    [Fact]
    public void Anonymous_caller_stays_anonymous()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall.Replace("from=492111234567", "from=anonymous")));

        Assert.Equal(SipgatePush.Anonymous, call.From);
        Assert.True(SipgatePush.IsAnonymous(call.From));
        Assert.False(SipgatePush.IsAnonymous(call.To));
    }

    [Fact]
    public void Encoded_plus_in_a_number_is_kept_as_sent_for_the_normalizer()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall.Replace("from=492111234567", "from=%2B492111234567")));

        Assert.Equal("+492111234567", call.From);
    }

    [Fact]
    public void Newer_fields_xcid_origCallId_and_diversion_are_read()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall + "&xcid=x-42&origCallId=0815&diversion=4921100000"));

        Assert.Equal(("x-42", "0815", "4921100000"), (call.Xcid, call.OriginalCallId, call.Diversion));
    }

    [Fact]
    public void OriginalCallId_spelling_is_accepted_too()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall + "&originalCallId=777"));

        Assert.Equal("777", call.OriginalCallId);
    }

    [Fact]
    public void Outgoing_call_has_direction_out()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse(CurlNewCall.Replace("direction=in", "direction=out")));

        Assert.Equal(SipgateDirection.Out, call.Direction);
    }

    [Fact]
    public void NewCall_without_users_has_empty_lists()
    {
        var call = Assert.IsType<SipgatePush.NewCall>(Parse("event=newCall&from=492111234567&to=4915791234567&direction=in&callId=9"));

        Assert.Empty(call.Users);
        Assert.Empty(call.UserIds);
        Assert.Empty(call.FullUserIds);
    }

    [Fact]
    public void Answer_carries_the_answering_user_and_number()
    {
        var body = "event=answer&callId=123456&user=Alice&userId=w0&fullUserId=1234567w0&from=492111234567&to=4915791234567"
                   + "&direction=in&answeringNumber=4921100000&diversion=4915791234567";

        var answer = Assert.IsType<SipgatePush.Answer>(Parse(body));

        Assert.Equal(
            new SipgatePush.Answer("123456", "492111234567", "4915791234567", SipgateDirection.In, "4921100000", "Alice", "w0", "1234567w0", "4915791234567"),
            answer);
    }

    [Fact]
    public void Answer_without_user_fields_parses_with_nulls()
    {
        var answer = Assert.IsType<SipgatePush.Answer>(Parse("event=answer&callId=1&from=492111234567&to=4915791234567&direction=in&answeringNumber=4921100000"));

        Assert.Equal((null, null, null, null), (answer.User, answer.UserId, answer.FullUserId, answer.Diversion));
    }

    [Theory]
    [InlineData("normalClearing", SipgateHangupCause.NormalClearing)]
    [InlineData("busy", SipgateHangupCause.Busy)]
    [InlineData("cancel", SipgateHangupCause.Cancel)]
    [InlineData("noAnswer", SipgateHangupCause.NoAnswer)]
    [InlineData("congestion", SipgateHangupCause.Congestion)]
    [InlineData("notFound", SipgateHangupCause.NotFound)]
    [InlineData("forwarded", SipgateHangupCause.Forwarded)]
    [InlineData("somethingNew", SipgateHangupCause.Other)]
    public void Hangup_maps_each_cause(string cause, SipgateHangupCause expected)
    {
        var body = $"event=hangup&cause={cause}&callId=123456&from=492111234567&to=4915791234567&direction=in&answeringNumber=4921100000";

        var hangup = Assert.IsType<SipgatePush.Hangup>(Parse(body));

        Assert.Equal(new SipgatePush.Hangup(expected, "123456", "492111234567", "4915791234567", SipgateDirection.In, "4921100000"), hangup);
    }

    [Fact]
    public void Hangup_of_an_unanswered_call_has_no_answering_number()
    {
        var hangup = Assert.IsType<SipgatePush.Hangup>(Parse("event=hangup&cause=cancel&callId=1&from=anonymous&to=4915791234567&direction=in&answeringNumber="));

        Assert.Null(hangup.AnsweringNumber);
    }

    [Theory]
    [InlineData("0815", "0815")]
    [InlineData("1", "1")]
    [InlineData("12%2A%23", "12*#")]
    [InlineData("", "")]
    public void Dtmf_keeps_digits_as_text_including_leading_zero_and_empty(string sent, string expected)
    {
        var dtmf = Assert.IsType<SipgatePush.Dtmf>(Parse($"event=dtmf&dtmf={sent}&callId=123456"));

        Assert.Equal(new SipgatePush.Dtmf(expected, "123456"), dtmf);
    }

    [Theory]
    [InlineData("", "event")]
    [InlineData("&&&", "event")]
    [InlineData("event=newCall", "from")]
    [InlineData("event=newCall&from=492111234567&to=4915791234567&direction=in", "callId")]
    [InlineData("event=newCall&from=492111234567&to=4915791234567&direction=in&callId=", "callId")]
    [InlineData("event=newCall&from=&to=4915791234567&direction=in&callId=1", "from")]
    [InlineData("event=newCall&from=492111234567&to=4915791234567&direction=sideways&callId=1", "sideways")]
    [InlineData("event=newCall&from=492111234567&to=4915791234567&direction=in&callId=1&callId=2", "more than once")]
    [InlineData("event=newcall&from=492111234567&to=4915791234567&direction=in&callId=1", "Unknown event")]
    [InlineData("event=answer&callId=1&from=492111234567&to=4915791234567&direction=in", "answeringNumber")]
    [InlineData("event=hangup&callId=1&from=492111234567&to=4915791234567&direction=in", "cause")]
    [InlineData("event=dtmf&callId=1", "dtmf")]
    [InlineData("event=dtmf&dtmf=1", "callId")]
    [InlineData("event=newCall&from=%ZZ", "form encoding")]
    [InlineData("event=newCall&from=49%2", "form encoding")]
    [InlineData("event=newCall&user[]=M%FCller", "form encoding")]
    [InlineData("event=newCall&user[]=Alice%0AINFO+forged+log+line", "form encoding")]
    [InlineData("{\"event\":\"newCall\"}", "event")]
    public void Malformed_bodies_give_a_parse_error_not_an_exception(string body, string errorMentions)
    {
        var result = SipgatePush.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsSuccess);
        Assert.Null(result.Push);
        Assert.Contains(errorMentions, result.Error);
    }

    [Fact]
    public void The_sdk_test_vector_body_is_refused_because_its_call_id_is_empty()
    {
        var result = SipgatePush.Parse(Encoding.UTF8.GetBytes(SipgateSignatureVerifierTests.SdkVectorBody));

        Assert.False(result.IsSuccess);
        Assert.Contains("callId", result.Error);
    }

    private static SipgatePush Parse(string body)
    {
        var result = SipgatePush.Parse(Encoding.UTF8.GetBytes(body));
        Assert.True(result.IsSuccess, result.Error);
        return result.Push;
    }
}
