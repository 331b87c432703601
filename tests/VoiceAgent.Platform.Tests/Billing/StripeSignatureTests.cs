using System.Text;
using VoiceAgent.Billing.Stripe;
using Sdk = Stripe;

namespace VoiceAgent.Platform.Tests.Billing;

/// <summary>Webhook signatures through Stripe.net's EventUtility (<see cref="StripeWebhooks.Verify"/>): the published vector and our rules.</summary>
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

    private const string Secret = "webhook_secret";
    private const string PublishedHeader = "t=1533204620,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1533204620);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    private static byte[] Body => Encoding.UTF8.GetBytes(PublishedBody.ReplaceLineEndings("\n"));

    private static string? Verify(string? header, byte[] body, DateTimeOffset now) => StripeWebhooks.Verify(body, header, Secret, now, Tolerance);

    private static string Sign(byte[] body, string secret = Secret, long timestamp = 1533204620) =>
        Sdk.EventUtility.GenerateSignatureHeader(Encoding.UTF8.GetString(body), secret, timestamp);

    [Fact]
    public void Stripes_published_vector_verifies()
    {
        Assert.Equal(484, Body.Length);

        Assert.Null(Verify(PublishedHeader, Body, SignedAt.AddSeconds(10)));
        Assert.Equal(PublishedHeader, Sign(Body));
    }

    [Fact]
    public void The_raw_body_matters_down_to_the_trailing_newline()
    {
        Assert.NotNull(Verify(PublishedHeader, Body[..^1], SignedAt));
    }

    [Fact]
    public void Small_vector_from_the_contract()
    {
        Assert.Equal("t=1700000000,v1=c561c5814cba8a0cd366ee43292d205cf59c9635ad120894be1ef80c0af72b76",
            Sdk.EventUtility.GenerateSignatureHeader("{}", "test_secret", 1700000000));
    }

    [Fact]
    public void Any_v1_may_match_and_v0_is_ignored()
    {
        var good = Sign(Body)["t=1533204620,v1=".Length..];
        var header = $"t=1533204620,v0={good},v1={new string('0', 64)},v1={good}";

        Assert.Null(Verify(header, Body, SignedAt));
        Assert.NotNull(Verify($"t=1533204620,v0={good}", Body, SignedAt));
    }

    [Fact]
    public void Another_secret_is_refused()
    {
        Assert.NotNull(Verify(Sign(Body, secret: "whsec_other"), Body, SignedAt));
    }

    [Theory]
    [InlineData(-300, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    public void Timestamps_outside_300_seconds_are_refused(int offsetSeconds, bool accepted)
    {
        Assert.Equal(accepted, Verify(Sign(Body), Body, SignedAt.AddSeconds(offsetSeconds)) is null);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=1533204620")]
    [InlineData("garbage")]
    [InlineData("t=abc,v1=2220f87ef101a04665f11cdf770523143f875572008577fa0f20882ddb9cc3c7")]
    public void Broken_headers_are_refused_without_throwing(string? header) =>
        Assert.NotNull(Verify(header, Body, SignedAt));

    [Fact]
    public void A_correctly_signed_header_with_a_non_numeric_timestamp_is_refused_without_throwing()
    {
        var signature = Sdk.EventUtility.ComputeSignature(Secret, "abc", Encoding.UTF8.GetString(Body));

        Assert.NotNull(Verify($"t=abc,v1={signature}", Body, SignedAt));
    }

    [Fact]
    public void A_body_that_is_not_utf8_is_refused()
    {
        byte[] body = [.. Body[..^2], 0xFF, 0x0A];

        Assert.NotNull(Verify(Sign(body), body, SignedAt));
    }

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
