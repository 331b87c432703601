using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Realtime;
using VoiceAgent.Platform.Speech;

// The SDK marks its Realtime client experimental (OPENAI002); the wire protocol it speaks is OpenAI's GA interface.
#pragma warning disable OPENAI002

namespace VoiceAgent.Telephony.Realtime;

/// <summary>
/// What the Realtime WebSockets share (a Realtime mode call and a call's streaming transcription): the OpenAI .NET SDK's
/// <see cref="RealtimeClient"/> opens the socket (endpoint from <see cref="OpenAiOptions.Endpoint"/> + "/realtime?model=…" or
/// "?intent=transcription", bearer key, the "realtime" sub-protocol) within <see cref="OpenAiOptions.Timeout"/>; events go
/// out and come in as the GA wire JSON through its protocol methods.
/// </summary>
internal static class OpenAiRealtimeSockets
{
    /// <param name="model">The speech model of a conversation session; null opens a transcription session.</param>
    public static async Task<RealtimeSessionClient> ConnectAsync(OpenAiOptions options, string key, string? model, TimeProvider time, CancellationToken ct)
    {
        using var budget = new CancellationTokenSource(options.Timeout, time);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        var client = new RealtimeClient(new ApiKeyCredential(key), new RealtimeClientOptions { Endpoint = options.Endpoint });
        return model is null
            ? await client.StartTranscriptionSessionAsync(null, connect.Token)
            : await client.StartConversationSessionAsync(model, null, connect.Token);
    }

    public static Task SendAsync(RealtimeSessionClient session, JsonObject message, CancellationToken ct) =>
        SendAsync(session, message.ToJsonString(), ct);

    public static Task SendAsync(RealtimeSessionClient session, string json, CancellationToken ct) =>
        session.SendCommandAsync(BinaryData.FromString(json), new RequestOptions { CancellationToken = ct });

    /// <summary>The server's events as JSON objects (unparsable ones are skipped); ends when the socket closes.</summary>
    public static async IAsyncEnumerable<JsonObject> ReceiveAsync(RealtimeSessionClient session,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var result in session.ReceiveUpdatesAsync(new RequestOptions { CancellationToken = ct }))
        {
            if (result.GetRawResponse().Content is not { } content)
            {
                continue;
            }

            JsonObject? message;
            try
            {
                message = JsonNode.Parse(content.ToMemory().Span) as JsonObject;
            }
            catch (JsonException)
            {
                continue;
            }

            if (message is not null)
            {
                yield return message;
            }
        }
    }

    /// <summary>Sends our close frame if the socket is still open (2 s at most).</summary>
    /// <returns>False when the socket was gone already or the close failed.</returns>
    public static async Task<bool> CloseQuietlyAsync(RealtimeSessionClient session)
    {
        try
        {
            if (session.WebSocket is { State: WebSocketState.Open or WebSocketState.CloseReceived } socket)
            {
                using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", budget.Token);
            }

            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }
}
