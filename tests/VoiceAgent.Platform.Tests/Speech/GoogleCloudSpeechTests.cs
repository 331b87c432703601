using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Speech.GoogleCloud;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

/// <summary>The Google Cloud speech clients against the fake: service-account token (JWT-bearer grant) fetched once and
/// reused, recognize and synthesize in Google's shapes, the WAV header of MULAW audio removed, 401/429/5xx.</summary>
public sealed class GoogleCloudSpeechTests : IAsyncLifetime
{
    private readonly Clock time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly List<ServiceProvider> providers = [];
    private readonly ConcurrentQueue<string> logs = new();
    private FakeGoogleCloudServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeGoogleCloudServer.StartAsync(time);

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        await fake.DisposeAsync();
    }

    [Fact]
    public async Task Recognition_sends_linear16_at_8_kHz_in_the_tenants_language_and_reuses_one_token()
    {
        fake.EnqueueTranscripts("Ich möchte einen Termin", " Ja, gerne ");
        var (api, accounts) = Services();
        var stt = new GoogleSpeechToText(api, accounts.For(fake.ServiceAccountJson())!, "de-AT");
        var pcm = new short[1600];
        pcm[0] = 0x1234;

        Assert.Equal("Ich möchte einen Termin", await stt.TranscribeAsync(pcm, default));
        Assert.Equal("Ja, gerne", await stt.TranscribeAsync(pcm, default));

        var token = Assert.Single(fake.TokenRequests);
        Assert.Equal((FakeGoogleCloudServer.JwtBearerGrant, true), (token.GrantType, token.SignatureValid));
        Assert.Equal(FakeGoogleCloudServer.DefaultClientEmail, (string?)token.Claims!["iss"]);
        Assert.Contains((string?)token.Claims["aud"], FakeGoogleCloudServer.Audiences.Append(fake.TokenUri.AbsoluteUri));
        Assert.Equal(FakeGoogleCloudServer.CloudPlatformScope, (string?)token.Claims["scope"]);
        var recognition = fake.Recognitions[0];
        Assert.Equal(("LINEAR16", 8000, "de-AT", 3200), (recognition.Encoding, recognition.SampleRateHertz, recognition.LanguageCode, recognition.Audio.Length));
        Assert.Equal([0x34, 0x12], recognition.Audio[..2]); // little-endian samples, no header
        var bearers = fake.Requests.Where(r => r.Path == "/v1/speech:recognize").Select(r => r.Authorization).Distinct();
        Assert.StartsWith("Bearer ya29.", Assert.Single(bearers));
    }

    [Fact]
    public async Task An_expired_token_is_renewed_before_the_next_request()
    {
        fake.EnqueueTranscripts("eins", "zwei");
        var (api, accounts) = Services();
        var stt = new GoogleSpeechToText(api, accounts.For(fake.ServiceAccountJson())!, "de-DE");

        await stt.TranscribeAsync(new short[160], default);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("zwei", await stt.TranscribeAsync(new short[160], default));

        Assert.Equal(2, fake.TokenRequests.Count);
        Assert.All(fake.TokenRequests, t => Assert.True(t.SignatureValid));
    }

    [Fact]
    public async Task Nothing_recognized_is_null_and_empty_audio_asks_nobody()
    {
        fake.EnqueueTranscripts((string?)null);
        var (api, accounts) = Services();
        var stt = new GoogleSpeechToText(api, accounts.For(fake.ServiceAccountJson())!, "de-DE");

        Assert.Null(await stt.TranscribeAsync(new short[800], default));
        Assert.Null(await stt.TranscribeAsync(ReadOnlyMemory<short>.Empty, default));

        Assert.Single(fake.Recognitions);
    }

    [Fact]
    public async Task Synthesis_asks_for_8_kHz_mulaw_and_hands_out_the_samples_without_the_wav_header()
    {
        var (api, accounts) = Services();
        var tts = new GoogleTextToSpeech(api, accounts.For(fake.ServiceAccountJson())!, "de-DE-Neural2-B");

        var audio = await tts.SynthesizeMuLawAsync("Guten Tag.", null, default);
        await tts.SynthesizeMuLawAsync("Hallo", "de-DE-Wavenet-A", default);
        await tts.SynthesizeMuLawAsync("Hallo", "nova", default); // a voice of another engine: the tenant's voice

        // 10 characters × 50 ms × 8000 Hz, one byte each: exactly the data chunk.
        Assert.Equal(4000, audio.Length);
        Assert.False(audio.AsSpan().StartsWith("RIFF"u8));
        var first = fake.Syntheses[0];
        Assert.Equal(("Guten Tag.", "de-DE-Neural2-B", "de-DE", "MULAW", 8000),
            (first.Text, first.VoiceName, first.LanguageCode, first.AudioEncoding, first.SampleRateHertz));
        Assert.Equal(["de-DE-Neural2-B", "de-DE-Wavenet-A", "de-DE-Neural2-B"], fake.Syntheses.Select(s => s.VoiceName));
        Assert.Single(fake.TokenRequests);
        Assert.Empty(await tts.SynthesizeMuLawAsync("  ", null, default));
    }

    [Fact]
    public void Audio_without_a_header_passes_and_a_pcm_wav_is_resampled_to_mulaw()
    {
        byte[] raw = [0xFF, 0x7F, 0x00];
        Assert.Equal(raw, GoogleTextToSpeech.MuLawOf(raw));

        var pcm = WavFile.WriteNarrowband(new short[800]);
        Assert.Equal(800, GoogleTextToSpeech.MuLawOf(pcm).Length);
    }

    [Fact]
    public async Task A_refused_token_fails_the_request_without_calling_the_api()
    {
        var (api, accounts) = Services();
        var foreign = FakeGoogleCloudServer.ForeignServiceAccountJson(fake.TokenUri);
        var stt = new GoogleSpeechToText(api, accounts.For(foreign)!, "de-DE");

        var error = await Assert.ThrowsAsync<PortException>(async () => await stt.TranscribeAsync(new short[160], default));

        Assert.Contains("invalid_grant", error.Message);
        Assert.False(Assert.Single(fake.TokenRequests).SignatureValid);
        Assert.Empty(fake.Recognitions);
        AssertNoSecret(foreign, error);
    }

    [Fact]
    public async Task A_token_endpoint_answering_401_fails_with_its_status()
    {
        fake.FailToken(new FakeGoogleCloudServer.Failure(401));
        var (api, accounts) = Services();
        var json = fake.ServiceAccountJson();
        var tts = new GoogleTextToSpeech(api, accounts.For(json)!, GoogleVoices.Default);

        var error = await Assert.ThrowsAsync<PortException>(async () => await tts.SynthesizeMuLawAsync("Hallo", null, default));

        Assert.Contains("HTTP 401", error.Message);
        Assert.Empty(fake.Syntheses);
        AssertNoSecret(json, error);
    }

    [Fact]
    public async Task A_revoked_token_is_401_unauthenticated_and_not_retried()
    {
        fake.EnqueueTranscripts("eins");
        var (api, accounts) = Services();
        var json = fake.ServiceAccountJson();
        var stt = new GoogleSpeechToText(api, accounts.For(json)!, "de-DE");
        await stt.TranscribeAsync(new short[160], default);
        fake.RevokeTokens();

        var error = await Assert.ThrowsAsync<PortException>(async () => await stt.TranscribeAsync(new short[160], default));

        Assert.Contains("HTTP 401, UNAUTHENTICATED", error.Message);
        Assert.Equal(2, fake.Requests.Count(r => r.Path == "/v1/speech:recognize"));
        Assert.Empty(time.Delays);
        AssertNoSecret(json, error);
    }

    [Fact]
    public async Task Rate_limit_then_success_is_retried_once_after_the_configured_delay()
    {
        fake.Fail(new FakeGoogleCloudServer.Failure(429, Message: "Quota exceeded for quota metric 'Requests'."));
        fake.EnqueueTranscripts("Termin");
        var (api, accounts) = Services();
        var stt = new GoogleSpeechToText(api, accounts.For(fake.ServiceAccountJson())!, "de-DE");

        Assert.Equal("Termin", await stt.TranscribeAsync(new short[160], default));

        Assert.Equal(2, fake.Requests.Count(r => r.Path == "/v1/speech:recognize"));
        Assert.Equal([TimeSpan.FromMilliseconds(250)], time.Delays);
        Assert.Single(fake.TokenRequests);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_limit_is_not_waited_for()
    {
        fake.Fail(new FakeGoogleCloudServer.Failure(429, RetryAfterSeconds: 30));
        var (api, accounts) = Services();
        var tts = new GoogleTextToSpeech(api, accounts.For(fake.ServiceAccountJson())!, GoogleVoices.Default);

        var error = await Assert.ThrowsAsync<PortException>(async () => await tts.SynthesizeMuLawAsync("Hallo", null, default));

        Assert.Contains("HTTP 429, RESOURCE_EXHAUSTED", error.Message);
        Assert.Single(fake.Requests, r => r.Path == "/v1/text:synthesize");
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Server_errors_twice_fail_with_googles_status_after_one_retry()
    {
        fake.Fail(new FakeGoogleCloudServer.Failure(503), new FakeGoogleCloudServer.Failure(503));
        var (api, accounts) = Services();
        var json = fake.ServiceAccountJson();
        var tts = new GoogleTextToSpeech(api, accounts.For(json)!, GoogleVoices.Default);

        var error = await Assert.ThrowsAsync<PortException>(async () => await tts.SynthesizeMuLawAsync("Hallo", null, default));

        Assert.Contains("HTTP 503, UNAVAILABLE", error.Message);
        Assert.Contains(FakeGoogleCloudServer.DefaultClientEmail, error.Message);
        Assert.Equal(2, fake.Requests.Count(r => r.Path == "/v1/text:synthesize"));
        AssertNoSecret(json, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"type\":\"authorized_user\",\"client_id\":\"x\",\"client_secret\":\"y\",\"refresh_token\":\"z\"}")]
    [InlineData("{\"type\":\"service_account\",\"client_email\":\"a@b.iam.gserviceaccount.com\",\"private_key\":\"{pem}\"}")]
    public void Anything_but_a_service_account_key_is_no_account(string json) =>
        // A key-shaped PEM that is no key (assembled here, so the source holds nothing that looks like a private key).
        Assert.Null(Services().Accounts.For(json.Replace("{pem}", "-----BEGIN " + "PRIVATE KEY-----\\nAAAA\\n-----END " + "PRIVATE KEY-----\\n", StringComparison.Ordinal)));

    /// <summary>Neither the error (with its inner exceptions) nor any log line shows the private key.</summary>
    private void AssertNoSecret(string json, Exception error)
    {
        var privateKey = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("private_key").GetString()!;
        var line = privateKey.Split('\n')[1]; // a line of the key's base64
        foreach (var text in logs.Append(error.ToString()))
        {
            Assert.DoesNotContain(line, text);
            Assert.DoesNotContain("PRIVATE KEY", text);
        }
    }

    private (GoogleCloudApi Api, GoogleServiceAccounts Accounts) Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GoogleCloud:SpeechBaseUrl"] = fake.BaseUrl.AbsoluteUri,
            ["GoogleCloud:TextToSpeechBaseUrl"] = fake.BaseUrl.AbsoluteUri,
        }).Build();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddLogging(l => l.AddProvider(new ListLogger(logs)));
        GoogleCloudApi.Register(services, configuration);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return (provider.GetRequiredService<GoogleCloudApi>(), provider.GetRequiredService<GoogleServiceAccounts>());
    }

    /// <summary>A fake clock whose short timers (retry delays) are recorded and fire at once, while the request budget
    /// only runs out when a test advances the clock.</summary>
    internal sealed class Clock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly ConcurrentQueue<TimeSpan> delays = new();

        public IReadOnlyList<TimeSpan> Delays => delays.ToArray();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime > TimeSpan.Zero && dueTime <= TimeSpan.FromSeconds(2) && period == Timeout.InfiniteTimeSpan)
            {
                delays.Enqueue(dueTime);
                return System.CreateTimer(callback, state, TimeSpan.Zero, period);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class ListLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception) + exception);

        public void Dispose()
        {
        }
    }
}
