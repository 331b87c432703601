using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>The SDK's REST client on our HttpClient pipeline (base URL handler, one retry) against a fake Twilio.</summary>
public sealed class TwilioApiTests : IAsyncLifetime
{
    // Fake SIDs and token, split so that secret scanners do not mistake the test data for real credentials.
    private const string AccountSid = "AC" + "0123456789abcdef0123456789abcdef";
    private const string OtherAccountSid = "AC" + "fedcba9876543210fedcba9876543210";
    private const string AuthToken = "0f1e2d3c4b5a" + "69788796a5b4c3d2";
    private const string CallSid = "CA" + "2f0e5c1b0ea4c5d6e7f8a9b0c1d2e3f4";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TwilioCredentials Credentials = new(AccountSid, AuthToken);

    private readonly RecordingTimeProvider time = new();
    private readonly List<ServiceProvider> providers = [];
    private FakeTwilioServer fake = null!;

    public async Task InitializeAsync()
    {
        fake = await FakeTwilioServer.StartAsync();
        fake.AddAccount(AccountSid, AuthToken);
        fake.AddAccount(OtherAccountSid, "another-token-1234");
        fake.AddCall(CallSid);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        await fake.DisposeAsync();
    }

    [Fact]
    public async Task Valid_credentials_are_checked_with_basic_auth_against_the_account_resource()
    {
        Assert.True(await Client().CheckCredentialsAsync(Credentials));

        var request = Assert.Single(fake.Requests);
        Assert.Equal(("GET", $"/2010-04-01/Accounts/{AccountSid}.json", AccountSid), (request.Method, request.Path, request.BasicUser));
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Wrong_token_gives_false_from_the_401()
    {
        Assert.False(await Client().CheckCredentialsAsync(Credentials with { AuthToken = "wrong-token-0000" }));

        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task Malformed_account_sid_gives_false_without_asking_twilio()
    {
        Assert.False(await Client().CheckCredentialsAsync(new TwilioCredentials("AC123/../../Calls", AuthToken)));
        Assert.False(await Client().CheckCredentialsAsync(new TwilioCredentials("SK" + "0123456789abcdef0123456789abcdef", AuthToken)));

        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Rate_limit_then_success_is_retried_once_after_the_configured_delay()
    {
        fake.Fail(new FakeTwilioServer.Failure(429, 20429, "Too Many Requests"));

        Assert.True(await Client().CheckCredentialsAsync(Credentials));

        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal([RetryDelay], time.Delays);
    }

    [Fact]
    public async Task Retry_after_within_the_limit_replaces_the_configured_delay()
    {
        fake.Fail(new FakeTwilioServer.Failure(429, 20429, "Too Many Requests", RetryAfterSeconds: 2));

        Assert.True(await Client().CheckCredentialsAsync(Credentials));

        Assert.Equal(2, fake.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(2)], time.Delays);
    }

    [Fact]
    public async Task Retry_after_beyond_the_limit_is_not_waited_for()
    {
        fake.Fail(new FakeTwilioServer.Failure(503, 20503, "Service Unavailable", RetryAfterSeconds: 3600));

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().CheckCredentialsAsync(Credentials));

        Assert.Equal((503, 20503), (error.Status, error.Code));
        Assert.Single(fake.Requests);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Service_unavailable_twice_throws_with_twilios_error()
    {
        fake.Fail(new FakeTwilioServer.Failure(503, 20503, "Service Unavailable"), new FakeTwilioServer.Failure(503, 20503, "Service Unavailable"));

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().CheckCredentialsAsync(Credentials));

        Assert.Equal((503, 20503, "Service Unavailable"), (error.Status, error.Code, error.TwilioMessage));
        Assert.Equal("https://www.twilio.com/docs/errors/20503", error.MoreInfo);
        Assert.Equal(2, fake.Requests.Count);
        Assert.DoesNotContain(AuthToken, error.ToString());
    }

    [Fact]
    public async Task Service_unavailable_once_then_hangup_succeeds()
    {
        fake.Fail(new FakeTwilioServer.Failure(503, 20503, "Service Unavailable"));

        await Client().HangupCallAsync(Credentials, CallSid);

        Assert.Equal("completed", fake.CallStatus(CallSid));
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Error_page_without_twilio_json_still_becomes_a_twilio_api_exception()
    {
        fake.Fail(new FakeTwilioServer.Failure(502, 0, "", Html: true), new FakeTwilioServer.Failure(502, 0, "", Html: true));

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().HangupCallAsync(Credentials, CallSid));

        Assert.Equal((502, (int?)null), (error.Status, error.Code));
        Assert.Equal("in-progress", fake.CallStatus(CallSid));
    }

    [Fact]
    public async Task Redirect_posts_url_and_method_as_form_fields()
    {
        var url = new Uri("https://voice.example.com/telephony/twilio/transfer?call=42&tenant=t1");

        await Client().RedirectCallAsync(Credentials, CallSid, url);

        var request = Assert.Single(fake.Requests);
        Assert.Equal(("POST", $"/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json"), (request.Method, request.Path));
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType);
        Assert.Equal(new Dictionary<string, string> { ["Url"] = url.AbsoluteUri, ["Method"] = "POST" }, request.Form);
        Assert.Equal(url.AbsoluteUri, fake.CallRedirect(CallSid));
    }

    [Fact]
    public async Task Hangup_sets_status_completed()
    {
        await Client().HangupCallAsync(Credentials, CallSid);

        var request = Assert.Single(fake.Requests);
        Assert.Equal(new Dictionary<string, string> { ["Status"] = "completed" }, request.Form);
        Assert.Equal("completed", fake.CallStatus(CallSid));
    }

    [Fact]
    public async Task Unknown_call_maps_the_404_error_body_and_is_not_retried()
    {
        const string unknownCall = "CA" + "00000000000000000000000000000000";

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().HangupCallAsync(Credentials, unknownCall));

        Assert.Equal((404, 20404), (error.Status, error.Code));
        Assert.Contains(unknownCall, error.TwilioMessage);
        Assert.Single(fake.Requests);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Redirecting_a_finished_call_maps_the_400_and_is_not_retried()
    {
        await Client().HangupCallAsync(Credentials, CallSid);

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().RedirectCallAsync(Credentials, CallSid, new Uri("https://voice.example.com/next")));

        Assert.Equal((400, 21220, "Call is not in-progress. Cannot redirect."), (error.Status, error.Code, error.TwilioMessage));
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task Wrong_token_on_a_call_update_throws_the_401()
    {
        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().HangupCallAsync(Credentials with { AuthToken = "wrong-token-0000" }, CallSid));

        Assert.Equal((401, 20003), (error.Status, error.Code));
    }

    [Fact]
    public async Task Number_lookup_filters_by_phone_number_and_picks_the_exact_one_among_partial_matches()
    {
        fake.AddNumber(AccountSid, "+4930123456", voiceUrl: "https://other.example.com/a");
        var sid = fake.AddNumber(AccountSid, "+49301234567", voiceUrl: "https://other.example.com/b", statusCallback: "https://other.example.com/s");
        fake.AddNumber(OtherAccountSid, "+49301234567");

        var number = await Client().FindIncomingNumberAsync(Credentials, "+4930123456");
        var longer = await Client().FindIncomingNumberAsync(Credentials, "+49301234567");

        Assert.Equal(("+4930123456", "https://other.example.com/a", "POST", (string?)null), (number!.PhoneNumber, number.VoiceUrl, number.VoiceMethod, number.StatusCallback));
        Assert.Equal((sid, "https://other.example.com/s"), (longer!.Sid, longer.StatusCallback));
        var request = fake.Requests[0];
        Assert.Equal(("GET", $"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", AccountSid), (request.Method, request.Path, request.BasicUser));
        Assert.Contains("PhoneNumber=%2B4930123456", request.QueryString);
    }

    [Fact]
    public async Task Number_not_in_the_account_is_null_and_the_other_accounts_numbers_stay_hidden()
    {
        fake.AddNumber(OtherAccountSid, "+49301234567");

        Assert.Null(await Client().FindIncomingNumberAsync(Credentials, "+49301234567"));
    }

    [Fact]
    public async Task Setting_the_webhooks_posts_urls_and_methods_and_returns_the_stored_number()
    {
        var sid = fake.AddNumber(AccountSid, "+49301234567", voiceUrl: "https://other.example.com/a", voiceApplicationSid: "AP" + new string('a', 32));
        var voice = new Uri("https://voice.example.com/telephony/twilio/voice");
        var status = new Uri("https://voice.example.com/telephony/twilio/status");

        var updated = await Client().SetVoiceWebhooksAsync(Credentials, sid, voice, status);

        Assert.Equal((voice.AbsoluteUri, "POST", status.AbsoluteUri, "POST", (string?)null),
            (updated.VoiceUrl, updated.VoiceMethod, updated.StatusCallback, updated.StatusCallbackMethod, updated.VoiceApplicationSid));
        var update = Assert.Single(fake.NumberUpdates);
        Assert.Equal(new Dictionary<string, string>
        {
            ["VoiceUrl"] = voice.AbsoluteUri, ["VoiceMethod"] = "POST", ["StatusCallback"] = status.AbsoluteUri, ["StatusCallbackMethod"] = "POST",
            ["VoiceApplicationSid"] = "",
        }, update.Form);
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{sid}.json", Assert.Single(fake.Requests).Path);
    }

    [Fact]
    public async Task Setting_the_webhooks_of_another_accounts_number_is_a_404()
    {
        var sid = fake.AddNumber(OtherAccountSid, "+49301234567");

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => Client().SetVoiceWebhooksAsync(Credentials, sid,
            new Uri("https://voice.example.com/v"), new Uri("https://voice.example.com/s")));

        Assert.Equal((404, 20404), (error.Status, error.Code));
        Assert.Empty(fake.NumberUpdates);
    }

    [Theory]
    [InlineData("CA123")]
    [InlineData("CA2f0e5c1b0ea4c5d6e7f8a9b0c1d2e3f4/../../x")]
    [InlineData("PN2f0e5c1b0ea4c5d6e7f8a9b0c1d2e3f4")]
    public async Task Malformed_call_sid_is_refused_before_any_request(string callSid)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client().HangupCallAsync(Credentials, callSid));

        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Relative_redirect_url_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Client().RedirectCallAsync(Credentials, CallSid, new Uri("/next", UriKind.Relative)));

    [Fact]
    public async Task Base_url_may_carry_a_path_prefix_and_a_404_means_invalid_credentials()
    {
        var client = Client(new Uri(fake.BaseUrl, "/prefix"));

        Assert.False(await client.CheckCredentialsAsync(Credentials));

        Assert.Equal($"/prefix/2010-04-01/Accounts/{AccountSid}.json", Assert.Single(fake.Requests).Path);
    }

    [Fact]
    public void Credentials_never_print_the_token()
    {
        var printed = Credentials.ToString();

        Assert.Contains(AccountSid, printed);
        Assert.DoesNotContain(AuthToken, printed);
    }

    private TwilioApi Client(Uri? baseUrl = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:ApiBaseUrl"] = (baseUrl ?? fake.BaseUrl).AbsoluteUri,
            ["Twilio:RetryDelay"] = RetryDelay.ToString(),
        }).Build();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddLogging();
        services.AddProviderRestClients(configuration);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<TwilioApi>();
    }
}
