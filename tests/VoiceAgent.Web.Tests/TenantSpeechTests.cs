using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Security;
using VoiceAgent.Web.Admin;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// Wizard step 2 "Stimme &amp; Spracherkennung" against real PostgreSQL and the fake Google Cloud and OpenAI: the choice is
/// stored per tenant (audited; refusals store nothing), a sample plays as WAV, the test console listens with the tenant's
/// engine, and no key or service-account secret shows in a response or a log line.
/// </summary>
public sealed class TenantSpeechTests : IntegrationTest
{
    private const string OpenAiKey = "sk-test-wizard-speech-0123456789abcdef";

    private readonly ConcurrentQueue<string> logs = new();
    private readonly List<string> bodies = [];

    private sealed record Setup(VoiceAgentFactory Host, FakeGoogleCloudServer Google, FakeOpenAiServer OpenAi, HttpClient Tenant,
        Guid TenantId, string ServiceAccount) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Google.DisposeAsync();
            await OpenAi.DisposeAsync();
        }
    }

    /// <summary>A host whose speech providers are the fakes, its log captured, with the given platform credentials stored,
    /// and an approved tenant's admin signed in. Response bodies read through <see cref="ReadAsync"/> are kept for the secret check.</summary>
    private async Task<Setup> SetUpAsync(bool openAiKey, bool googleAccount)
    {
        var google = await FakeGoogleCloudServer.StartAsync();
        var openAi = await FakeOpenAiServer.StartAsync();
        var host = new VoiceAgentFactory(Database)
        {
            Settings = new()
            {
                ["OpenAi:Endpoint"] = openAi.Endpoint.ToString(),
                ["GoogleCloud:SpeechBaseUrl"] = google.BaseUrl.AbsoluteUri,
                ["GoogleCloud:TextToSpeechBaseUrl"] = google.BaseUrl.AbsoluteUri,
                ["Logging:LogLevel:Default"] = "Information",
            },
        };
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(new LogCapture(logs));
        var admin = await host.LoginAsAdminAsync();
        var serviceAccount = google.ServiceAccountJson();
        if (openAiKey)
        {
            (await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = OpenAiKey })).EnsureSuccessStatusCode();
        }

        if (googleAccount)
        {
            var stored = await admin.PutAsJsonAsync("/api/admin/settings/googlecloud.service_account", new { value = serviceAccount });
            await ReadAsync(stored);
            stored.EnsureSuccessStatusCode();
        }

        var (tenantId, tenant) = await host.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        return new Setup(host, google, openAi, tenant, tenantId, serviceAccount);
    }

    [Fact]
    public async Task Without_any_key_the_tenant_speaks_offline_and_the_other_engines_are_listed_as_unavailable()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: false);

        var speech = await ReadAsync(await setup.Tenant.GetAsync("/api/tenant/speech"));

        Assert.Equal(("Offline", "de"), (speech.GetProperty("provider").GetString(), speech.GetProperty("voice").GetString()));
        var options = speech.GetProperty("options").EnumerateArray().ToDictionary(o => o.GetProperty("provider").GetString()!);
        Assert.True(options["Offline"].GetProperty("available").GetBoolean());
        Assert.Equal(4, options["Offline"].GetProperty("voices").GetArrayLength());
        Assert.False(options["OpenAi"].GetProperty("available").GetBoolean());
        Assert.Contains("kein API-Schlüssel", options["OpenAi"].GetProperty("unavailableReason").GetString());
        Assert.False(options["Google"].GetProperty("available").GetBoolean());
        Assert.Contains("kein Dienstkonto", options["Google"].GetProperty("unavailableReason").GetString());
        Assert.Equal(6, options["Google"].GetProperty("voices").GetArrayLength());
    }

    [Fact]
    public async Task With_the_openai_key_stored_and_no_choice_the_default_is_openai()
    {
        await using var setup = await SetUpAsync(openAiKey: true, googleAccount: false);

        var speech = await ReadAsync(await setup.Tenant.GetAsync("/api/tenant/speech"));

        Assert.Equal(("OpenAi", "alloy"), (speech.GetProperty("provider").GetString(), speech.GetProperty("voice").GetString()));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_speech"));
    }

    [Fact]
    public async Task A_choice_is_stored_per_tenant_audited_and_read_back()
    {
        await using var setup = await SetUpAsync(openAiKey: true, googleAccount: true);

        var saved = await ReadAsync(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "google", voice = "de-DE-Wavenet-B" }));
        var read = await ReadAsync(await setup.Tenant.GetAsync("/api/tenant/speech"));

        Assert.Equal(("Google", "de-DE-Wavenet-B"), (saved.GetProperty("provider").GetString(), saved.GetProperty("voice").GetString()));
        Assert.Equal(("Google", "de-DE-Wavenet-B"), (read.GetProperty("provider").GetString(), read.GetProperty("voice").GetString()));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM tenant_speech WHERE tenant_id = '{setup.TenantId}' AND provider = 'google' AND voice = 'de-DE-Wavenet-B'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = '{AuditActions.SpeechChanged}' AND tenant_id = '{setup.TenantId}' AND actor_email = 'chef@praxis.de'"));

        // Changed again: one row, a second audit entry; no voice means the engine's default voice.
        var changed = await ReadAsync(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "OpenAi" }));
        Assert.Equal(("OpenAi", "alloy"), (changed.GetProperty("provider").GetString(), changed.GetProperty("voice").GetString()));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenant_speech"));
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = '{AuditActions.SpeechChanged}'"));
        AssertNoSecret(setup);
    }

    [Fact]
    public async Task An_unavailable_engine_an_unknown_engine_and_a_voice_of_another_engine_are_refused_and_nothing_is_stored()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: true);

        var noKey = await FieldErrors(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "OpenAi", voice = "nova" }));
        var unknown = await FieldErrors(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "Azure", voice = "x" }));
        var missing = await FieldErrors(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { voice = "de" }));
        var wrongVoice = await FieldErrors(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "Google", voice = "nova" }));

        Assert.Contains("kein API-Schlüssel", Assert.Single(noKey["provider"]));
        Assert.Equal("Bitte wählen Sie einen Sprachdienst.", Assert.Single(unknown["provider"]));
        Assert.Equal("Bitte wählen Sie einen Sprachdienst.", Assert.Single(missing["provider"]));
        Assert.Contains("Diese Stimme gibt es bei diesem Sprachdienst nicht", Assert.Single(wrongVoice["voice"]));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_speech"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = '{AuditActions.SpeechChanged}'"));
    }

    [Fact]
    public async Task An_invalid_service_account_makes_google_unavailable_with_its_own_reason()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: false);
        var admin = await setup.Host.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/googlecloud.service_account", new { value = "{\"type\":\"authorized_user\"}" })).EnsureSuccessStatusCode();

        var errors = await FieldErrors(await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "Google" }));

        Assert.Contains("kein gültiger JSON-Schlüssel", Assert.Single(errors["provider"]));
    }

    [Fact]
    public async Task The_sample_is_a_playable_wav_of_the_german_sentence_in_the_chosen_google_voice()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: true);

        var response = await setup.Tenant.GetAsync("/api/tenant/speech/sample?provider=Google&voice=de-DE-Neural2-D");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        var wav = await response.Content.ReadAsByteArrayAsync();
        Assert.True(wav.AsSpan().StartsWith("RIFF"u8) && wav.AsSpan(8, 4).SequenceEqual("WAVE"u8));
        Assert.Equal(((ushort)1, (ushort)1, 8000u, (ushort)16),
            (BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20)), BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22)),
             BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)), BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34))));
        var synthesis = Assert.Single(setup.Google.Syntheses);
        Assert.Equal(("de-DE-Neural2-D", "MULAW"), (synthesis.VoiceName, synthesis.AudioEncoding));
        // The fake speaks 50 ms per character: the header is gone and the samples are all there (PCM16: two bytes each).
        Assert.Equal(44 + synthesis.Text!.Length * 400 * 2, wav.Length);
        Assert.Equal("Guten Tag, so klinge ich am Telefon. Wie kann ich Ihnen helfen?", synthesis.Text);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_speech")); // listening stores nothing
    }

    [Fact]
    public async Task The_offline_sample_comes_from_espeak_and_needs_no_account()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: false);

        var response = await setup.Tenant.GetAsync("/api/tenant/speech/sample?provider=offline&voice=" + Uri.EscapeDataString("de+f3"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var wav = await response.Content.ReadAsByteArrayAsync();
        Assert.True(wav.AsSpan().StartsWith("RIFF"u8));
        Assert.True(wav.Length > 44 + 8000); // more than half a second of espeak-ng's speech
        Assert.Empty(setup.Google.Requests);
    }

    [Fact]
    public async Task A_failing_engine_gives_a_german_conflict_without_the_providers_text_or_a_secret()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: true);
        setup.Google.Fail(new FakeGoogleCloudServer.Failure(503, Message: "backend sad"), new FakeGoogleCloudServer.Failure(503, Message: "backend sad"));

        var response = await setup.Tenant.GetAsync("/api/tenant/speech/sample?provider=Google&voice=de-DE-Neural2-A");
        var problem = await ReadAsync(response);
        var refused = await setup.Tenant.GetAsync("/api/tenant/speech/sample?provider=OpenAi&voice=alloy");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.StartsWith("Die Hörprobe konnte gerade nicht erzeugt werden", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("backend sad", problem.ToString());
        Assert.Contains(logs, l => l.Contains("HTTP 503, UNAVAILABLE", StringComparison.Ordinal)); // the reason is in the log
        Assert.Contains("kein API-Schlüssel", (await FieldErrors(refused))["provider"][0]);
        AssertNoSecret(setup);
    }

    [Fact]
    public async Task The_test_console_listens_with_the_tenants_google_engine()
    {
        await using var setup = await SetUpAsync(openAiKey: true, googleAccount: true);
        (await setup.Tenant.PutAsJsonAsync("/api/tenant/speech", new { provider = "Google", voice = "de-DE-Neural2-B" })).EnsureSuccessStatusCode();
        var flowId = await setup.Host.SeedSampleFlowAsync(setup.TenantId);
        var session = await ReadAsync(await setup.Tenant.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = "+491701234567" }));
        setup.Google.EnqueueTranscripts("Ich möchte gerne einen Termin vereinbaren");
        var content = new ByteArrayContent(SimulationSpeechTests.Wav(16_000, 1));
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");

        var turn = await ReadAsync(await setup.Tenant.PostAsync($"/api/flows/{flowId}/simulations/{session.GetProperty("sessionId").GetGuid()}/speech", content));

        Assert.Equal("Ich möchte gerne einen Termin vereinbaren", turn.GetProperty("heard").GetString());
        var recognition = Assert.Single(setup.Google.Recognitions);
        Assert.Equal(("LINEAR16", 8000, "de-DE", 16_000), (recognition.Encoding, recognition.SampleRateHertz, recognition.LanguageCode, recognition.Audio.Length));
        Assert.Empty(setup.OpenAi.Transcriptions);
        AssertNoSecret(setup);
    }

    [Fact]
    public async Task Verbindung_testen_for_google_cloud_asks_the_token_endpoint_each_time()
    {
        await using var setup = await SetUpAsync(openAiKey: false, googleAccount: true);
        var admin = await setup.Host.LoginAsAdminAsync();

        async Task<ConnectionCheckResult?> TestAsync()
        {
            await using var scope = setup.Host.Services.CreateAsyncScope();
            return await ProviderConnection.TestAsync(scope.ServiceProvider, "googlecloud", default);
        }

        Assert.Equal(new ConnectionCheckResult(ConnectionState.Ok, FakeGoogleCloudServer.DefaultClientEmail), await TestAsync());
        setup.Google.FailToken(new FakeGoogleCloudServer.Failure(503));
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Unreachable, "HTTP 503"), await TestAsync());
        (await admin.PutAsJsonAsync("/api/admin/settings/googlecloud.service_account",
            new { value = FakeGoogleCloudServer.ForeignServiceAccountJson(setup.Google.TokenUri) })).EnsureSuccessStatusCode();
        Assert.Equal(new ConnectionCheckResult(ConnectionState.Rejected, "HTTP 400"), await TestAsync());
        (await admin.PutAsJsonAsync("/api/admin/settings/googlecloud.service_account", new { value = "{}" })).EnsureSuccessStatusCode();
        Assert.Equal(ConnectionState.Rejected, (await TestAsync())?.State);

        Assert.Equal(3, setup.Google.TokenRequests.Count);
        AssertNoSecret(setup);
    }

    /// <summary>Neither the OpenAI key nor any part of the service account's private key is in a response or a log line.</summary>
    private void AssertNoSecret(Setup setup)
    {
        var privateKey = JsonDocument.Parse(setup.ServiceAccount).RootElement.GetProperty("private_key").GetString()!;
        var secrets = privateKey.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("-----", StringComparison.Ordinal))
            .Append(OpenAiKey).Append("PRIVATE KEY").ToList();
        Assert.NotEmpty(logs);
        foreach (var text in logs.Concat(bodies))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text);
            }
        }
    }

    private async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        bodies.Add(text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private sealed class LogCapture(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));

        public void Dispose()
        {
        }
    }
}
