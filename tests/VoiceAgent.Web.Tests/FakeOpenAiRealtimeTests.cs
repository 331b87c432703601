using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>The fake Realtime API holds to the wire contract our client is tested against (API-CONTRACTS.md §7).</summary>
public sealed class FakeOpenAiRealtimeTests
{
    [Fact]
    public async Task The_fake_refuses_a_connection_without_a_bearer_key_with_401()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        using var socket = new ClientWebSocket();

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RealtimeUri(openAi), CancellationToken.None));

        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, openAi.Realtime.Rejected);
    }

    [Fact]
    public async Task The_fake_answers_the_beta_flat_audio_fields_with_an_error_and_accepts_the_ga_session()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer sk-test-key");
        socket.Options.AddSubProtocol("realtime");
        await socket.ConnectAsync(RealtimeUri(openAi), CancellationToken.None);
        Assert.Equal("session.created", (string?)(await ReceiveAsync(socket))["type"]);

        await SendAsync(socket, """{"type":"session.update","session":{"type":"realtime","input_audio_format":"g711_ulaw","output_audio_format":"g711_ulaw"}}""");
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal("session.input_audio_format", (string?)error["error"]!["param"]);

        await SendAsync(socket, """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcmu"},"voice":"alloy"}}}}""");
        Assert.Equal("session.updated", (string?)(await ReceiveAsync(socket))["type"]);
        Assert.Equal(["gpt-realtime"], openAi.Realtime.Connections);
    }

    [Fact]
    public async Task Every_connection_hears_its_callers_turns_after_the_sessions_silence_window()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Realtime.DetectEveryTurnInAudio("Ich möchte einen Termin.");
        openAi.Realtime.DefaultResponse = new FakeRealtimeResponse([.. Enumerable.Repeat((byte)0x55, 800)], "Gern.");
        using var first = await SessionAsync(openAi, silenceMs: 300);
        using var second = await SessionAsync(openAi, silenceMs: 300);

        foreach (var socket in new[] { first, second })
        {
            await AppendAsync(socket, Enumerable.Repeat((byte)0x00, 1600)); // loud
            Assert.Equal("input_audio_buffer.speech_started", (string?)(await ReceiveAsync(socket))["type"]);
            await AppendAsync(socket, Enumerable.Repeat((byte)0xFF, 2000)); // 250 ms of silence: not the end yet

            // The fake handles events in order: the item's echo comes before any end of turn.
            await SendAsync(socket, """{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[]}}""");
            Assert.Equal("conversation.item.added", (string?)(await ReceiveAsync(socket))["type"]);
        }

        foreach (var socket in new[] { first, second })
        {
            await AppendAsync(socket, Enumerable.Repeat((byte)0xFF, 400)); // 300 ms in all
            var types = new List<string>();
            while (types.LastOrDefault() != "response.done")
            {
                types.Add((string)(await ReceiveAsync(socket))["type"]!);
            }

            Assert.Equal(["input_audio_buffer.speech_stopped", "input_audio_buffer.committed", "conversation.item.input_audio_transcription.completed",
                "response.created", "response.output_audio.delta", "response.output_audio.delta", "response.output_audio.done",
                "response.output_audio_transcript.done", "response.done"], types);
        }
    }

    private static async Task<ClientWebSocket> SessionAsync(FakeOpenAiServer openAi, int silenceMs)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer sk-test-key");
        await socket.ConnectAsync(RealtimeUri(openAi), CancellationToken.None);
        Assert.Equal("session.created", (string?)(await ReceiveAsync(socket))["type"]);
        await SendAsync(socket, """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"server_vad","silence_duration_ms":SILENCE_MS}},"output":{"format":{"type":"audio/pcmu"},"voice":"alloy"}}}}"""
            .Replace("SILENCE_MS", silenceMs.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal("session.updated", (string?)(await ReceiveAsync(socket))["type"]);
        return socket;
    }

    private static Task AppendAsync(ClientWebSocket socket, IEnumerable<byte> mulaw) =>
        SendAsync(socket, $$"""{"type":"input_audio_buffer.append","audio":"{{Convert.ToBase64String([.. mulaw])}}"}""");

    private static Uri RealtimeUri(FakeOpenAiServer openAi) => new(openAi.Endpoint.ToString().Replace("http://", "ws://") + "/realtime?model=gpt-realtime");

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonObject> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(message.ToArray())!.AsObject();
    }
}
