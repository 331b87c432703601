using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Sipgate;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Sipgate;

public sealed class SipgateRestClientTests : IAsyncLifetime
{
    private static readonly SipgateCredentials Credentials = SipgateCredentials.Create(FakeSipgateApi.TokenId, FakeSipgateApi.Token);

    private readonly List<ServiceProvider> providers = [];
    private FakeSipgateApi fake = null!;

    public async Task InitializeAsync() => fake = await FakeSipgateApi.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        await fake.DisposeAsync();
    }

    [Fact]
    public async Task User_info_is_read_with_basic_token_auth()
    {
        var info = await Client().GetUserInfoAsync(Credentials);

        Assert.Equal(("w0", "sipgate.de", "1234567", "de_DE"), (info.Sub, info.Domain, info.MasterSipId, info.Locale));
        var request = Assert.Single(fake.Requests);
        Assert.Equal(("GET", "/v2/authorization/userinfo"), (request.Method, request.PathAndQuery));
        Assert.Equal("Basic dG9rZW4tQUIxMmNkOjBmMWUyZDNjLTRiNWEtNjk3OC04Nzk2LWE1YjRjM2QyZTFmMA==", request.Authorization);
    }

    [Fact]
    public async Task Wrong_token_gives_the_typed_unauthorized_exception_without_a_retry()
    {
        var wrong = SipgateCredentials.Create(FakeSipgateApi.TokenId, "wrong-token");

        var ex = await Assert.ThrowsAsync<SipgateUnauthorizedException>(() => Client().GetUserInfoAsync(wrong));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains(FakeSipgateApi.TokenId, ex.Message);
        Assert.DoesNotContain("wrong-token", ex.Message);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Numbers_are_read_page_by_page()
    {
        fake.AddNumbers(130);

        var numbers = await Client().GetNumbersAsync(Credentials);

        Assert.Equal(130, numbers.Count);
        Assert.Equal(("1000", "+492115500000", "0211 5500000", "LANDLINE", "g0"), (numbers[0].Id, numbers[0].Number, numbers[0].Localized, numbers[0].Type, numbers[0].EndpointId));
        Assert.Equal("1129", numbers[^1].Id);
        Assert.Equal(["/v2/numbers?offset=0&limit=100", "/v2/numbers?offset=100&limit=100"], fake.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Empty_account_has_no_numbers()
    {
        Assert.Empty(await Client().GetNumbersAsync(Credentials));
    }

    [Fact]
    public async Task Hangup_deletes_the_live_call()
    {
        fake.StartCall("a1b2c3d4");

        Assert.True(await Client().HangupAsync(Credentials, "a1b2c3d4"));
        var request = Assert.Single(fake.Requests);
        Assert.Equal(("DELETE", "/v2/calls/a1b2c3d4"), (request.Method, request.PathAndQuery));
    }

    [Fact]
    public async Task Hangup_of_a_call_that_already_ended_returns_false()
    {
        fake.StartCall("a1b2c3d4");
        await Client().HangupAsync(Credentials, "a1b2c3d4");

        Assert.False(await Client().HangupAsync(Credentials, "a1b2c3d4"));
    }

    [Fact]
    public async Task Call_id_is_escaped_into_one_path_segment()
    {
        Assert.False(await Client().HangupAsync(Credentials, "../numbers"));

        Assert.Equal("/v2/calls/..%2Fnumbers", fake.Requests.Single().PathAndQuery);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task One_transient_failure_is_retried_once(int status)
    {
        fake.Fail(new FakeSipgateApi.Failure(status));

        var info = await Client().GetUserInfoAsync(Credentials);

        Assert.Equal("w0", info.Sub);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Theory]
    [InlineData(429, 503)]
    [InlineData(503, 503)]
    [InlineData(500, 429)]
    public async Task Second_transient_failure_is_thrown(int first, int second)
    {
        fake.StartCall("a1b2c3d4");
        fake.Fail(new FakeSipgateApi.Failure(first), new FakeSipgateApi.Failure(second));

        var ex = await Assert.ThrowsAsync<SipgateApiException>(() => Client().HangupAsync(Credentials, "a1b2c3d4"));

        Assert.Equal((HttpStatusCode)second, ex.StatusCode);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_within_the_limit_is_honoured()
    {
        fake.Fail(new FakeSipgateApi.Failure(429, RetryAfterSeconds: 0));

        Assert.Equal("w0", (await Client().GetUserInfoAsync(Credentials)).Sub);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_beyond_the_limit_is_thrown_at_once()
    {
        fake.Fail(new FakeSipgateApi.Failure(429, RetryAfterSeconds: 3600));

        var ex = await Assert.ThrowsAsync<SipgateApiException>(() => Client().GetUserInfoAsync(Credentials));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        fake.Fail(new FakeSipgateApi.Failure(400));

        var ex = await Assert.ThrowsAsync<SipgateApiException>(() => Client().GetUserInfoAsync(Credentials));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Not_found_outside_hangup_is_an_error()
    {
        var client = Client(new Uri(fake.BaseUrl, "/v1"));

        var ex = await Assert.ThrowsAsync<SipgateApiException>(() => client.GetUserInfoAsync(Credentials));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("/v1/authorization/userinfo", fake.Requests.Single().PathAndQuery);
    }

    [Theory]
    [InlineData("token-AB12c")]
    [InlineData("token-AB12cd7")]
    [InlineData("Token-AB12cd")]
    [InlineData("token-AB12-d")]
    [InlineData("token-ÄB12cd")]
    [InlineData("AB12cd")]
    [InlineData("")]
    public void Malformed_token_ids_are_refused(string tokenId)
    {
        Assert.False(SipgateCredentials.IsValidTokenId(tokenId));
        Assert.Throws<ArgumentException>(() => SipgateCredentials.Create(tokenId, FakeSipgateApi.Token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("abc\r\ndef")]
    public void Blank_or_control_character_tokens_are_refused(string token)
    {
        Assert.Throws<ArgumentException>(() => SipgateCredentials.Create(FakeSipgateApi.TokenId, token));
    }

    [Fact]
    public void Credentials_never_print_the_token()
    {
        var printed = Credentials.ToString();

        Assert.Contains(FakeSipgateApi.TokenId, printed);
        Assert.DoesNotContain(FakeSipgateApi.Token, printed);
    }

    /// <summary>Built as the app builds it: typed HttpClient with the resilience handler (no wait before the retry here).</summary>
    private SipgateRestClient Client(Uri? baseUrl = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sipgate:Rest:BaseUrl"] = (baseUrl ?? fake.BaseUrl).AbsoluteUri,
            ["Sipgate:Rest:RetryDelay"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddProviderRestClients(configuration);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<SipgateRestClient>();
    }
}
