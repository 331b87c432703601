using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Cli.Tests;

/// <summary><c>call simulate</c> against the real app listening on 127.0.0.1 (Kestrel, random port) and the test PostgreSQL.</summary>
public sealed class CallSimulateTests : IAsyncLifetime
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";

    private readonly string directory = FixtureDirectory.Create("call");
    private PostgresServer database = default!;
    private VoiceAgentFactory factory = default!;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.Shared;
        await database.ResetAsync();
        factory = new VoiceAgentFactory(database);
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Listen<TEntryPoint>(WebApplicationFactory<TEntryPoint> app)
        where TEntryPoint : class
    {
        app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        return app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
    }

    /// <summary>The Twilio auth token, a tenant with the sample flow and its number 030 1111111.</summary>
    private async Task SeedAsync(params (string Key, string Value)[] settings)
    {
        await factory.CreateSuperAdminAsync();
        var admin = await factory.LoginAsAdminAsync();
        foreach (var (key, value) in settings.Prepend(("twilio.auth_token", AuthToken)))
        {
            (await admin.PutAsJsonAsync($"/api/admin/settings/{key}", new { value })).EnsureSuccessStatusCode();
        }

        var (tenantId, tenantAdmin) = await factory.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await factory.SeedSampleFlowAsync(tenantId);
        (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", flowId })).EnsureSuccessStatusCode();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Gather_call_books_an_appointment_and_prints_what_the_agent_said_with_timings()
    {
        var baseUrl = Listen(factory);
        await SeedAsync();

        var (code, output, error) = await Run("call", "simulate", "--base-url", baseUrl, "--to", "030 1111111", "--region", "DE",
            "--auth-token", AuthToken, "--say", "Ich möchte einen Termin", "--say", "Ja");

        Assert.True(code == 0, error + output);
        Assert.Contains("Modus: Gather", output);
        Assert.Contains("Agent: Guten Tag, Sie sprechen mit dem KI-Assistenten von Praxis Alpha. Ich bin eine künstliche Intelligenz", output);
        Assert.Contains("Agent: Ich kann einen Termin für Sie vereinbaren", output);
        Assert.Contains("Anrufer: Ich möchte einen Termin", output);
        Assert.Contains("Agent: Der nächste freie Termin wäre am", output);
        Assert.Contains("ist eingetragen", output);
        Assert.Equal(3, Regex.Matches(output, @"↳ \d+ ms").Count);
        Assert.Matches(@"Zusammenfassung: 3 Agent-Antwort\(en\), Antwortzeit Ø \d+ ms", output);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events WHERE caller_number = '+4915100000000'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE status = 'completed' AND ended_at IS NOT NULL"));
    }

    [Fact]
    public async Task A_wrong_auth_token_is_refused_with_exit_code_1_and_a_German_hint()
    {
        var baseUrl = Listen(factory);
        await SeedAsync();

        var (code, output, error) = await Run("call", "simulate", "--base-url", baseUrl, "--to", "+49301111111",
            "--auth-token", "ffffffffffffffffffffffffffffffff", "--say", "Ich möchte einen Termin");

        Assert.Equal(1, code);
        Assert.Contains("Der Server hat den Webhook abgelehnt (403", error);
        Assert.Contains("--auth-token", error);
        Assert.DoesNotContain("Agent:", output);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_and_missing_options_exit_2()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var unreachable = await Run("call", "simulate", "--base-url", $"http://127.0.0.1:{port}", "--to", "+49301111111", "--auth-token", AuthToken);
        var noNumber = await Run("call", "simulate", "--base-url", $"http://127.0.0.1:{port}", "--auth-token", AuthToken);
        var nationalWithoutRegion = await Run("call", "simulate", "--base-url", $"http://127.0.0.1:{port}", "--to", "030 1111111", "--auth-token", AuthToken);

        Assert.Equal(1, unreachable.Code);
        Assert.Contains("Server nicht erreichbar", unreachable.Err);
        Assert.Equal(2, noNumber.Code);
        Assert.Contains("--to fehlt", noNumber.Err);
        Assert.Equal(2, nationalWithoutRegion.Code);
    }

    [Fact]
    public async Task Realtime_call_speaks_espeak_audio_over_the_media_stream_and_books_an_appointment()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.EnqueueTranscripts("Ich möchte einen Termin", "Ja");
        openAi.EnqueueSpeech([.. Enumerable.Range(0, 20).Select(_ => new FakeSpeechReply.Audio(Tone(TimeSpan.FromMilliseconds(400))))]);
        await using var realtime = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("OpenAi:Endpoint", openAi.Endpoint.ToString());
            b.UseSetting("Telephony:Mode", "realtime");
        });
        var baseUrl = Listen(realtime);
        await SeedAsync(("openai.api_key", "sk-test-" + new string('k', 40)));

        var (code, output, error) = await Run("call", "simulate", "--base-url", baseUrl, "--to", "+49301111111",
            "--auth-token", AuthToken, "--say", "Ich möchte einen Termin", "--say", "Ja");

        Assert.True(code == 0, error + output);
        Assert.Contains("Modus: Realtime (Media Stream ws://127.0.0.1:", output);
        Assert.Contains("Anrufer: Ich möchte einen Termin [", output);
        Assert.Equal(3, Regex.Matches(output, @"Agent: \[\d+,\d s Audio\]").Count);
        Assert.Equal(3, Regex.Matches(output, @"↳ erstes Audio \d+ ms").Count);
        Assert.Contains("Anrufer legt auf.", output);

        // The server's voice activity detection heard each espeak utterance as exactly one, streamed to the recognizer as
        // the line's μ-law (nothing uploaded afterwards).
        Assert.Equal(2, openAi.Transcription.Commits.Count);
        Assert.All(openAi.Transcription.Commits, c => Assert.NotEmpty(c.Audio));
        Assert.Empty(openAi.Transcriptions);
        Assert.Contains(openAi.SpeechRequests, r => r.Input?.StartsWith("Der nächste freie Termin wäre am", StringComparison.Ordinal) == true);
        Assert.Contains(openAi.SpeechRequests, r => r.Input?.Contains("ist eingetragen", StringComparison.Ordinal) == true);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events WHERE caller_number = '+4915100000000'"));
    }

    [Fact]
    public async Task Realtime_call_plays_the_utterances_of_an_audio_file_first_and_follows_the_agent_hanging_up()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.EnqueueTranscripts("Ich möchte einen Termin", "Ja", "Nein danke, tschüss");
        openAi.EnqueueSpeech([.. Enumerable.Range(0, 20).Select(_ => new FakeSpeechReply.Audio(Tone(TimeSpan.FromMilliseconds(400))))]);
        await using var realtime = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("OpenAi:Endpoint", openAi.Endpoint.ToString());
            b.UseSetting("Telephony:Mode", "realtime");
        });
        var baseUrl = Listen(realtime);
        await SeedAsync(("openai.api_key", "sk-test-" + new string('k', 40)));
        var wav = Path.Combine(directory, "anrufer.wav");
        await File.WriteAllBytesAsync(wav, await TwoUtterancesWavAsync("Ich möchte einen Termin", "Ja"));

        var (code, output, error) = await Run("call", "simulate", "--base-url", baseUrl, "--to", "+49301111111",
            "--auth-token", AuthToken, "--audio", wav, "--say", "Nein danke, tschüss");

        Assert.True(code == 0, error + output);
        Assert.Contains("Anrufer: [anrufer.wav, Äußerung 1 von 2]", output);
        Assert.Contains("Anrufer: [anrufer.wav, Äußerung 2 von 2]", output);
        Assert.Contains("Anrufer: Nein danke, tschüss [", output);
        Assert.Equal(4, Regex.Matches(output, @"Agent: \[\d+,\d s Audio\]").Count);
        Assert.Contains("Connect-Action nach dem Stream", output);
        Assert.Contains("Agent hat aufgelegt.", output);
        Assert.Equal(3, openAi.Transcription.Commits.Count); // one per utterance, streamed
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events WHERE caller_number = '+4915100000000'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE ended_at IS NOT NULL"));
    }

    [Fact]
    public async Task OpenAi_realtime_mode_prints_the_time_from_the_end_of_the_callers_speech_to_the_first_audio_of_every_turn()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        var answer = MuLaw.Encode([.. Enumerable.Range(0, 3200).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0)))]);
        openAi.Realtime.Enqueue(new FakeRealtimeResponse(answer, "Guten Tag."), new FakeRealtimeResponse(answer, "Gerne."), new FakeRealtimeResponse(answer, "Gut."));
        openAi.Realtime.DetectTurnsInAudio("Ich möchte einen Termin", "Ja");
        await using var realtime = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("OpenAi:Endpoint", openAi.Endpoint.ToString());
            b.UseSetting("Telephony:Mode", "realtime");
        });
        var baseUrl = Listen(realtime);
        await SeedAsync(("openai.api_key", "sk-test-" + new string('k', 40)));
        Assert.Equal(1, await CountAsync(
            "WITH chosen AS (INSERT INTO tenant_speech (tenant_id, provider, voice, updated_at) SELECT id, 'openairealtime', 'alloy', now() FROM tenants RETURNING 1) " +
            "SELECT count(*) FROM chosen"));

        var (code, output, error) = await Run("call", "simulate", "--base-url", baseUrl, "--to", "+49301111111",
            "--auth-token", AuthToken, "--say", "Ich möchte einen Termin", "--say", "Ja");

        Assert.True(code == 0, error + output);
        Assert.Equal(3, Regex.Matches(output, @"Agent: \[0,4 s Audio\]").Count);
        Assert.Equal(2, Regex.Matches(output, @"↳ erstes Audio \d+ ms nach Ende der Anrufer-Sprache").Count);
        Assert.Single(openAi.Realtime.Connections);
        Assert.Empty(openAi.Transcriptions); // the model heard the caller itself
        Assert.Empty(openAi.SpeechRequests);
        Assert.Equal(2, await CountAsync("SELECT cardinality(turn_latencies_ms) FROM calls"));
    }

    /// <summary>An 8 kHz recording: a little line noise, the first sentence, a pause, the second sentence.</summary>
    private static async Task<byte[]> TwoUtterancesWavAsync(string first, string second)
    {
        var espeak = new EspeakTextToSpeech(NullLogger<EspeakTextToSpeech>.Instance, TimeProvider.System);
        var one = WavFile.Read(await espeak.SynthesizeWavAsync(first)).Samples;
        var two = WavFile.Read(await espeak.SynthesizeWavAsync(second)).Samples;
        short[] Pause(double seconds) => new short[(int)(8000 * seconds)];
        return WavFile.WriteNarrowband([.. Pause(0.3), .. one, .. Pause(1.5), .. two, .. Pause(0.5)]);
    }

    /// <summary>24 kHz PCM16 LE, the "pcm" format the fake OpenAI speaks; short, so the simulated playback is quick.</summary>
    private static byte[] Tone(TimeSpan duration)
    {
        var samples = (int)(FakeOpenAiServer.SpeechSampleRate * duration.TotalSeconds);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i), (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / FakeOpenAiServer.SpeechSampleRate)));
        }

        return pcm;
    }
}
