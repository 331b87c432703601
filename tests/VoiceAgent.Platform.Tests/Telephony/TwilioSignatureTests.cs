using System.Security.Cryptography;
using System.Text;
using Twilio.Security;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>
/// The published vectors of API-CONTRACTS.md §1.2 (from twilio-csharp and twilio-python) and the failure cases, checked by the
/// SDK's RequestValidator through <see cref="TwilioSignature"/>.
/// </summary>
public sealed class TwilioSignatureTests
{
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    private const string JsonBody = """{"property": "value", "boolean": true}""";
    private const string JsonBodySha256 = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

    private static readonly KeyValuePair<string, string>[] CallParameters =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+14158675309"),
        new("Digits", "1234"),
        new("From", "+14158675309"),
        new("To", "+18005551212"),
    ];

    private static readonly KeyValuePair<string, string>[] RepeatedKeyParameters =
    [
        new("Sid", "CA123"),
        new("SidAccount", "AC123"),
        new("Digits", "5678"),
        new("Digits", "1234"),
    ];

    [Theory]
    [InlineData(Url, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")]
    [InlineData("https://mycompany.com:443/myapp.php?foo=1&bar=2", "kvajT1Ptam85bY51eRf/AJRuM3w=")]
    [InlineData("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")]
    public void Published_form_vectors_compute_and_validate(string url, string expected)
    {
        Assert.Equal(expected, TwilioSignature.Compute(Token, url, CallParameters));
        Assert.True(TwilioSignature.IsValid(Token, url, CallParameters, expected));
    }

    [Fact]
    public void Published_repeated_key_vector_sorts_the_values()
    {
        Assert.Equal("IK+Dwps556ElfBT0I3Rgjkr1wJU=", TwilioSignature.Compute(Token, Url, RepeatedKeyParameters));
        Assert.True(TwilioSignature.IsValid(Token, Url, RepeatedKeyParameters, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
    }

    [Fact]
    public void Published_json_vector_checks_signature_and_body_hash()
    {
        var url = Url + "&bodySHA256=" + JsonBodySha256;

        Assert.Equal("a9nBmqA0ju/hNViExpshrM61xv4=", TwilioSignature.Compute(Token, url, []));
        Assert.True(new RequestValidator(Token).Validate(url, JsonBody, "a9nBmqA0ju/hNViExpshrM61xv4="));
    }

    [Fact]
    public void First_vector_signs_the_url_followed_by_sorted_keys_and_values_without_separators()
    {
        const string signed = "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212";
        var mac = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(signed)));

        Assert.Equal(mac, TwilioSignature.Compute(Token, Url, CallParameters.Reverse()));
    }

    [Fact]
    public void Repeated_values_are_order_independent_and_deduplicated_like_python()
    {
        KeyValuePair<string, string>[] reordered = [new("Digits", "1234"), new("SidAccount", "AC123"), new("Digits", "5678"), new("Sid", "CA123")];
        KeyValuePair<string, string>[] duplicated = [.. RepeatedKeyParameters, new("Digits", "1234")];

        Assert.True(TwilioSignature.IsValid(Token, Url, reordered, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
        Assert.True(TwilioSignature.IsValid(Token, Url, duplicated, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
    }

    [Fact]
    public void Twilio_signing_with_default_port_is_accepted_when_our_url_has_none_and_vice_versa()
    {
        Assert.True(TwilioSignature.IsValid(Token, Url, CallParameters, "kvajT1Ptam85bY51eRf/AJRuM3w="));
        Assert.True(TwilioSignature.IsValid(Token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", CallParameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));

        var signedWithPort80 = TwilioSignature.Compute(Token, "http://mycompany.com:80/myapp.php?foo=1&bar=2", CallParameters);
        Assert.True(TwilioSignature.IsValid(Token, "http://mycompany.com/myapp.php?foo=1&bar=2", CallParameters, signedWithPort80));
    }

    [Fact]
    public void Explicit_port_url_also_accepts_the_signature_without_the_port()
    {
        var signedWithoutPort = TwilioSignature.Compute(Token, "http://mycompany.com/myapp.php?foo=1&bar=2", CallParameters);

        Assert.True(TwilioSignature.IsValid(Token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", CallParameters, signedWithoutPort));
        Assert.False(TwilioSignature.IsValid(Token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", CallParameters, "kvajT1Ptam85bY51eRf/AJRuM3w="));
    }

    [Fact]
    public void Get_webhook_is_signed_over_the_url_alone_and_query_parameters_are_not_appended()
    {
        const string getUrl = "https://mycompany.com/voice?CallSid=CA1234567890ABCDE&From=%2B4930123456";
        var urlOnly = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(getUrl)));

        Assert.True(TwilioSignature.IsValid(Token, getUrl, [], urlOnly));
        KeyValuePair<string, string>[] queryAsForm = [new("CallSid", "CA1234567890ABCDE"), new("From", "+4930123456")];
        Assert.False(TwilioSignature.IsValid(Token, getUrl, queryAsForm, urlOnly));
    }

    [Fact]
    public void Tampered_value_is_rejected()
    {
        var tampered = CallParameters.Select(p => p.Key == "To" ? new KeyValuePair<string, string>("To", "+4990012345") : p);

        Assert.False(TwilioSignature.IsValid(Token, Url, tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    }

    [Fact]
    public void Added_or_removed_parameter_is_rejected()
    {
        KeyValuePair<string, string>[] added = [.. CallParameters, new("Forwarded", "1")];

        Assert.False(TwilioSignature.IsValid(Token, Url, added, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        Assert.False(TwilioSignature.IsValid(Token, Url, CallParameters.Skip(1), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    }

    [Theory]
    [InlineData("https://mycompany.com/myapp.php?foo=1&bar=3")]
    [InlineData("https://mycompany.com/myapp.php?foo=1")]
    [InlineData("https://mycompany.com/other.php?foo=1&bar=2")]
    [InlineData("https://evil.example/myapp.php?foo=1&bar=2")]
    [InlineData("http://mycompany.com/myapp.php?foo=1&bar=2")]
    public void Tampered_url_is_rejected(string url) =>
        Assert.False(TwilioSignature.IsValid(Token, url, CallParameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));

    [Fact]
    public void Other_auth_token_is_rejected() =>
        Assert.False(TwilioSignature.IsValid("54321", Url, CallParameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("RSOYDt4T1cUTdK1PDd93/VVr8B8")]
    [InlineData("RSOYDt4T1cUTdK1PDd93/VVr8B8=RSOY")]
    public void Missing_empty_or_malformed_header_is_rejected(string? header)
    {
        Assert.False(TwilioSignature.IsValid(Token, Url, CallParameters, header));
        Assert.False(TwilioSignature.IsWellFormed(header));
    }

    [Fact]
    public void A_well_formed_header_is_base64_of_an_hmac_sha1()
    {
        Assert.True(TwilioSignature.IsWellFormed("RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        Assert.True(TwilioSignature.IsWellFormed(" RSOYDt4T1cUTdK1PDd93/VVr8B8= "));
        Assert.False(TwilioSignature.IsWellFormed("RSOYDt4T1cUTdK1PDd93/VVr8B8*"));
        Assert.False(TwilioSignature.IsWellFormed(Convert.ToBase64String(new byte[32])));
    }

    [Fact]
    public void Empty_auth_token_validates_nothing() =>
        Assert.False(TwilioSignature.IsValid("", Url, CallParameters, TwilioSignature.Compute("", Url, CallParameters)));

    [Fact]
    public void Json_with_tampered_body_is_rejected_even_with_the_right_signature()
    {
        var url = Url + "&bodySHA256=" + JsonBodySha256;
        const string tampered = """{"property": "value", "boolean": false}""";

        Assert.False(new RequestValidator(Token).Validate(url, tampered, "a9nBmqA0ju/hNViExpshrM61xv4="));
    }

    [Fact]
    public void Json_with_matching_hash_but_wrong_signature_or_without_hash_parameter_is_rejected()
    {
        var validator = new RequestValidator(Token);

        Assert.False(validator.Validate(Url + "&bodySHA256=" + JsonBodySha256, JsonBody, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        var signedWithoutHash = TwilioSignature.Compute(Token, Url, []);
        Assert.False(validator.Validate(Url, JsonBody, signedWithoutHash));
    }

    [Fact]
    public void Non_ascii_values_are_signed_as_utf8()
    {
        KeyValuePair<string, string>[] speech = [new("SpeechResult", "Ich möchte einen Termin für Übermorgen")];
        var expected = Convert.ToBase64String(HMACSHA1.HashData(
            Encoding.UTF8.GetBytes(Token),
            Encoding.UTF8.GetBytes(Url + "SpeechResultIch möchte einen Termin für Übermorgen")));

        Assert.Equal(expected, TwilioSignature.Compute(Token, Url, speech));
    }
}
