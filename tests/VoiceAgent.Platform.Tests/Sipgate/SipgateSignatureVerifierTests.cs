using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using VoiceAgent.Telephony.Sipgate;

namespace VoiceAgent.Platform.Tests.Sipgate;

public sealed class SipgateSignatureVerifierTests
{
    /// <summary>From sipgate-io/sipgateio-node lib/webhook/webhook.test.node.ts (API-CONTRACTS.md §2.3).</summary>
    public const string SdkVectorBody =
        "callId=&direction=in&event=newCall&from=4912354678&fullUserId%5B%5D%5B0%5D=123456789&originalCallId=&to=49999999"
        + "&user%5B%5D%5B0%5D=TestUser&userId%5B%5D%5B0%5D=123456789&xcid=";

    private const string SdkVectorSignature =
        "hlY7r9Vad0NP/7xJxf+vcDqjWaGWHOcIrj+rcP5aqQQcHtbSLsElp2kRNRPBL5unWbq6bExVPZB49HHM+Y/fWSVL19q7KSJhYPHfikcME0r0mCYB4S/VnJwnIvpiqz6s"
        + "7Dpnk3wDCy65B3WQLwBVWA9oh6ojNM/g+87YnoMTKRx1KoFqosKNfBp1c1I8XjXusGOW/VlGnMb6wHhUVdwi9K7FfUgxj2pnV+M1Xv9rYs6RAi4V1OcUPqdT5geHsxWa"
        + "09sk+AEHSUm1EFnAvx7PhIkugpNwST7yPKHf0+iyei4qUQCBZtfQVOI4mLZTRfQuyVo3YuJfvHaNPYY34/1ZCZGCKeu+HS6WHs1vGUyKxSi8v4JJqog2VOlWruf8pMGg"
        + "+syuAFwuxiCnWsSXgaaUfe9JrBAFjBxUmNP9DzR1bbkwxkJnthacu7jALXjGsubjSSSl955QgenV/ZpODHgWDPg0fe6qGILtk+kXLjyfSsoR/qgzE5W5OAyZq8W64h01"
        + "KAt9Q283N7/2nogy6keiIWL3qjPolWnrchSP7iJUatM2YiTcpkNKnJ70UE05cdw3swuNe7zqD51MdOX3rAioEOFgOIFMSrxMVX+V4XK7sa5o43smN8lHoa+0AogQMuIrC7"
        + "k2axdRbulSSNfyqVAZIT4qS0cItiv3aPXsdDKkkA0=";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "event=newCall&from=492111234567&to=4915791234567&direction=in&callId=123456&user[]=Alice&userId[]=w0&fullUserId[]=1234567w0");

    [Fact]
    public void Default_key_is_sipgates_published_key()
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(SipgateSignatureVerifier.Sipgate.SubjectPublicKeyInfo.Span));

        Assert.Equal("893cfd6caad92efc277a5977daec63dee1597223b1df5b2bf69ef56cd92305b3", fingerprint);
    }

    [Fact]
    public void Real_sipgate_signature_from_the_sdk_verifies_against_the_exact_body()
    {
        var check = SipgateSignatureVerifier.Sipgate.Verify(Encoding.ASCII.GetBytes(SdkVectorBody), SdkVectorSignature);

        Assert.Equal(SipgateSignatureCheck.Valid, check);
    }

    [Fact]
    public void Real_sipgate_signature_fails_for_the_same_fields_written_with_plain_brackets()
    {
        var reencoded = SdkVectorBody.Replace("%5B%5D%5B0%5D", "%5B%5D");

        var check = SipgateSignatureVerifier.Sipgate.Verify(Encoding.ASCII.GetBytes(reencoded), SdkVectorSignature);

        Assert.Equal(SipgateSignatureCheck.Mismatch, check);
    }

    [Fact]
    public void Own_key_pair_signature_is_valid()
    {
        using var key = RSA.Create(2048);

        var check = Verifier(key).Verify(Body, Sign(key, Body));

        Assert.Equal(SipgateSignatureCheck.Valid, check);
    }

    [Fact]
    public void Body_altered_in_one_byte_is_a_mismatch()
    {
        using var key = RSA.Create(2048);
        var signature = Sign(key, Body);
        var altered = (byte[])Body.Clone();
        altered[^1] ^= 0x01;

        Assert.Equal(SipgateSignatureCheck.Mismatch, Verifier(key).Verify(altered, signature));
    }

    [Fact]
    public void Signature_altered_in_one_byte_is_a_mismatch()
    {
        using var key = RSA.Create(2048);
        var signature = key.SignData(Body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        signature[10] ^= 0x01;

        Assert.Equal(SipgateSignatureCheck.Mismatch, Verifier(key).Verify(Body, Convert.ToBase64String(signature)));
    }

    [Fact]
    public void Signature_made_with_another_key_is_a_mismatch()
    {
        using var ours = RSA.Create(2048);
        using var forger = RSA.Create(2048);

        Assert.Equal(SipgateSignatureCheck.Mismatch, Verifier(ours).Verify(Body, Sign(forger, Body)));
    }

    [Fact]
    public void Forged_signature_of_the_right_length_does_not_pass_with_sipgates_key()
    {
        var forged = Convert.ToBase64String(RandomNumberGenerator.GetBytes(4096 / 8));

        Assert.Equal(SipgateSignatureCheck.Mismatch, SipgateSignatureVerifier.Sipgate.Verify(Body, forged));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_header_is_reported_as_missing(string? header)
    {
        using var key = RSA.Create(2048);

        Assert.Equal(SipgateSignatureCheck.Missing, Verifier(key).Verify(Body, header));
    }

    [Theory]
    [InlineData("fakeSignature")]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void Garbage_header_is_malformed(string header)
    {
        using var key = RSA.Create(2048);

        Assert.Equal(SipgateSignatureCheck.Malformed, Verifier(key).Verify(Body, header));
    }

    [Fact]
    public void Truncated_signature_is_malformed()
    {
        using var key = RSA.Create(2048);
        var signature = key.SignData(Body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.Equal(SipgateSignatureCheck.Malformed, Verifier(key).Verify(Body, Convert.ToBase64String(signature[..^1])));
    }

    [Fact]
    public void Pss_signature_is_not_accepted_for_pkcs1()
    {
        using var key = RSA.Create(2048);
        var pss = key.SignData(Body, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        Assert.Equal(SipgateSignatureCheck.Mismatch, Verifier(key).Verify(Body, Convert.ToBase64String(pss)));
    }

    [Fact]
    public void Weak_key_is_refused()
    {
        using var weak = RSA.Create(1024);

        Assert.Throws<ArgumentException>(() => new SipgateSignatureVerifier(weak.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void Options_validation_reports_a_broken_key()
    {
        var options = new SipgatePushOptions { PublicKeyPem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" };

        var problems = options.Validate(new ValidationContext(options)).ToList();

        Assert.Contains(problems, p => p.MemberNames.Contains(nameof(SipgatePushOptions.PublicKeyPem)));
    }

    [Fact]
    public void Default_options_validate_and_use_sipgates_key()
    {
        var options = new SipgatePushOptions();

        Assert.Empty(options.Validate(new ValidationContext(options)));
        Assert.Equal(SipgateSignatureCheck.Valid, options.CreateVerifier().Verify(Encoding.ASCII.GetBytes(SdkVectorBody), SdkVectorSignature));
    }

    private static SipgateSignatureVerifier Verifier(RSA key) => new(key.ExportSubjectPublicKeyInfoPem());

    private static string Sign(RSA key, byte[] body) =>
        Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
}
