using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace VoiceAgent.Testing.Fakes;

/// <summary>Reads one whole JSON text message from a WebSocket (however many frames it came in), as the fakes and test
/// clients of the JSON-over-WebSocket protocols (Twilio Media Streams, OpenAI Realtime) do.</summary>
public static class WebSocketText
{
    /// <returns>The message, or null when the peer closed (after our close answer went out).</returns>
    public static async Task<JsonObject?> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            return null;
        }

        return JsonNode.Parse(message.ToArray()) as JsonObject ?? [];
    }
}
