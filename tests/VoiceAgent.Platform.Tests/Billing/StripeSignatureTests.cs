using System.Text;
using VoiceAgent.Platform.Billing.Stripe;

namespace VoiceAgent.Platform.Tests.Billing;

public sealed class StripeSignatureTests
{
    // stripe-dotnet src/StripeTests/Resources/event_test_signature.json: 484 bytes, LF line endings, with the trailing newline.
    private const string PublishedBody = """
        {
          "id": "evt_123",
          "object": "event",
          "account": "acct_123",
          "api_version": "2017-05-25",
          "created": 1533204620,
          "data": {
            "object": {
              "id": "cus_123",
              "object": "customer",
              "created": 123456789,
              "email": "test@stripe.com",
              "livemode": false,
              "metadata": {}
            }
          },
          "livemode": false,
          "pending_webhooks": 1,
          "request": {
            "id": "req_123",
            "idempotency_key": "idempotency-key-123"
          },
          "type": "customer.created"
        }

        """;

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1533204620);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private static byte[] Body => Encoding.UTF8.GetBytes(PublishedBody.ReplaceLineEndings("\n"));

    [Fact]
    public void Stripes_published_vector_verifies()
    {
        Assert.Equal(484, Body.Length);
        const string header = "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7";

        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(header, Body, "webhook_secret", SignedAt.AddSeconds(10), Tolerance));
        Assert.Equal(header, StripeSignature.Header("webhook_secret", 1533204620, Body));
    }

    [Fact]
    public void The_raw_body_matters_down_to_the_trailing_newline()
    {
        const string header = "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7";

        Assert.Equal(SignatureCheck.Mismatch, StripeSignature.Verify(header, Body.AsSpan(0, Body.Length - 1), "webhook_secret", SignedAt, Tolerance));
    }

    [Fact]
    public void Small_vector_from_the_contract()
    {
        Assert.Equal("t=1700000000,v1=c561c5814cba8a0cd366ee43292d205cf59c9635ad120894be1ef80c0af72b76",
            StripeSignature.Header("test_secret", 1700000000, "{}"u8));
    }

    [Fact]
    public void Any_v1_may_match_and_v0_is_ignored()
    {
        var good = StripeSignature.Header("webhook_secret", 1533204620, Body)["t=1533204620,v1=".Length..];
        var header = $"t=1533204620,v0={good},v1={new string('0', 64)},v1={good}";

        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(header, Body, "webhook_secret", SignedAt, Tolerance));
        Assert.Equal(SignatureCheck.Malformed, StripeSignature.Verify($"t=1533204620,v0={good}", Body, "webhook_secret", SignedAt, Tolerance));
    }

    [Theory]
    [InlineData(-300, SignatureCheck.Valid)]
    [InlineData(300, SignatureCheck.Valid)]
    [InlineData(301, SignatureCheck.Stale)]
    [InlineData(-301, SignatureCheck.Stale)]
    public void Timestamps_outside_300_seconds_are_stale(int offsetSeconds, SignatureCheck expected)
    {
        var header = StripeSignature.Header("webhook_secret", 1533204620, Body);

        Assert.Equal(expected, StripeSignature.Verify(header, Body, "webhook_secret", SignedAt.AddSeconds(offsetSeconds), Tolerance));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("", SignatureCheck.Missing)]
    [InlineData("v1=abc", SignatureCheck.Malformed)]
    [InlineData("t=1533204620", SignatureCheck.Malformed)]
    [InlineData("t=abc,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7", SignatureCheck.Malformed)]
    public void Broken_headers_are_refused(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, StripeSignature.Verify(header, Body, "webhook_secret", SignedAt, Tolerance));

    [Theory]
    [InlineData("stripe.secret_key", "sk_test_x", true)]
    [InlineData("stripe.secret_key", "rk_live_x", true)]
    [InlineData("stripe.secret_key", "pk_live_x", false)]
    [InlineData("stripe.secret_key", "whsec_x", false)]
    [InlineData("stripe.webhook_secret", "whsec_x", true)]
    [InlineData("stripe.webhook_secret", "sk_test_x", false)]
    [InlineData("lexoffice.api_key", "anything", true)]
    public void Keys_are_checked_by_prefix(string setting, string value, bool accepted) =>
        Assert.Equal(accepted, StripeKeys.Problem(setting, value) is null);
}
