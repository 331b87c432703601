using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>The fake Realtime transcription session holds to the wire contract our streaming recognition is tested against
/// (API-CONTRACTS.md §7, GA interface).</summary>
public sealed class FakeOpenAiTranscriptionTests
{
    private const string GaSession =
        """{"type":"session.update","session":{"type":"transcription","audio":{"input":{"format":{"type":"audio/pcmu"},"transcription":{"model":"gpt-4o-mini-transcribe","language":"de"},"turn_detection":null}}}}""";

    [Fact]
    public async Task The_fake_refuses_a_connection_without_a_bearer_key_with_401_and_a_rejected_one_with_its_status()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        using (var socket = new ClientWebSocket())
        {
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(TranscriptionUri(openAi), CancellationToken.None));
            Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        }

        openAi.Transcription.RejectStatus = 429;
        using (var socket = Authorized())
        {
            var limited = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(TranscriptionUri(openAi), CancellationToken.None));
            Assert.Contains("429", limited.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, openAi.Transcription.Rejected);
        Assert.Equal(0, openAi.Transcription.Connections);
        Assert.Equal(0, openAi.Realtime.Rejected); // the speech-to-speech fake keeps its own connections
    }

    [Fact]
    public async Task The_fake_answers_the_beta_flat_fields_with_an_error_and_accepts_the_ga_transcription_session()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        using var socket = await ConnectAsync(openAi);

        await SendAsync(socket, """{"type":"session.update","session":{"type":"transcription","input_audio_format":"g711_ulaw","input_audio_transcription":{"model":"gpt-4o-mini-transcribe"}}}""");
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal("session.input_audio_format", (string?)error["error"]!["param"]);

        // whisper-1 does not stream
        await SendAsync(socket, GaSession.Replace("gpt-4o-mini-transcribe", "whisper-1", StringComparison.Ordinal));
        Assert.Equal("error", (string?)(await ReceiveAsync(socket))["type"]);

        await SendAsync(socket, GaSession);
        Assert.Equal("session.updated", (string?)(await ReceiveAsync(socket))["type"]);
        Assert.Equal("transcription", (string?)openAi.Transcription.Session!["type"]);
        Assert.Empty(openAi.Realtime.Connections);
    }

    [Fact]
    public async Task Each_commit_is_answered_in_order_under_its_own_item_id_with_the_audio_appended_since_the_last()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.EnqueueTranscripts("Am Dienstag um", "zehn Uhr.");
        using var socket = await ConnectAsync(openAi);
        await SendAsync(socket, GaSession);
        Assert.Equal("session.updated", (string?)(await ReceiveAsync(socket))["type"]);

        byte[] first = [.. Enumerable.Repeat((byte)0x11, 1600)], second = [.. Enumerable.Repeat((byte)0x22, 960)];
        await AppendAsync(socket, first);
        await SendAsync(socket, """{"type":"input_audio_buffer.commit"}""");
        await AppendAsync(socket, Enumerable.Repeat((byte)0x33, 480).ToArray());
        await SendAsync(socket, """{"type":"input_audio_buffer.clear"}""");
        await AppendAsync(socket, second);
        await SendAsync(socket, """{"type":"input_audio_buffer.commit"}""");
        await AppendAsync(socket, new byte[160]);
        await SendAsync(socket, """{"type":"input_audio_buffer.commit"}"""); // 20 ms: too little

        var events = new List<JsonObject>();
        while (events.Count(e => (string?)e["type"] is "conversation.item.input_audio_transcription.completed" or "error") < 3)
        {
            events.Add(await ReceiveAsync(socket));
        }

        var committed = events.Where(e => (string?)e["type"] == "input_audio_buffer.committed").ToList();
        var completed = events.Where(e => (string?)e["type"] == "conversation.item.input_audio_transcription.completed").ToList();
        Assert.Equal(2, committed.Count);
        Assert.Equal(committed.Select(c => (string?)c["item_id"]), completed.Select(c => (string?)c["item_id"]));
        Assert.Equal((string?)committed[0]["item_id"], (string?)committed[1]["previous_item_id"]);
        Assert.Equal(["Am Dienstag um", "zehn Uhr."], completed.Select(c => (string?)c["transcript"]));
        // The deltas of an item come before its completion and add up to its transcript.
        var deltas = events.TakeWhile(e => e != completed[0])
            .Where(e => (string?)e["type"] == "conversation.item.input_audio_transcription.delta" && (string?)e["item_id"] == (string?)completed[0]["item_id"]);
        Assert.Equal("Am Dienstag um", string.Concat(deltas.Select(d => (string?)d["delta"])));
        Assert.Equal("input_audio_buffer_commit_empty", (string?)events.Single(e => (string?)e["type"] == "error")["error"]!["code"]);

        Assert.Equal([first, second], openAi.Transcription.Commits.Select(c => c.Audio));
        Assert.Equal(committed.Select(c => (string?)c["item_id"]), openAi.Transcription.Commits.Select(c => c.ItemId));
    }

    private static Uri TranscriptionUri(FakeOpenAiServer openAi) =>
        new(openAi.Endpoint.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "/realtime?intent=transcription");

    private static ClientWebSocket Authorized()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer sk-test-key");
        socket.Options.AddSubProtocol("realtime");
        return socket;
    }

    private static async Task<ClientWebSocket> ConnectAsync(FakeOpenAiServer openAi)
    {
        var socket = Authorized();
        await socket.ConnectAsync(TranscriptionUri(openAi), CancellationToken.None);
        Assert.Equal("session.created", (string?)(await ReceiveAsync(socket))["type"]);
        return socket;
    }

    private static Task AppendAsync(ClientWebSocket socket, byte[] mulaw) =>
        SendAsync(socket, new JsonObject { ["type"] = "input_audio_buffer.append", ["audio"] = Convert.ToBase64String(mulaw) }.ToJsonString());

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
