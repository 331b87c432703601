using System.Buffers;
using System.Net.WebSockets;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// The WebSocket side of a media stream (Twilio's, or sipgate's bridge speaking the same protocol). A stream moves 50
/// messages a second in each direction, so receiving reuses one growing buffer and sending reuses one JSON writer per
/// stream instead of allocating per frame. Sends are serialized (the speaker and the barge-in path both send).
/// </summary>
public sealed class MediaStreamSocket(WebSocket socket, int maxMessageBytes) : IDisposable
{
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> output = new(512);
    private byte[] input = new byte[Math.Min(4096, maxMessageBytes + 1)];

    public WebSocketState State => socket.State;

    /// <summary>
    /// The next whole message, valid until the next call; null when the peer closed the stream or a message exceeded the
    /// size cap (the stream is then closed with <see cref="WebSocketCloseStatus.MessageTooBig"/>).
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == input.Length)
            {
                Array.Resize(ref input, Math.Min(input.Length * 2, maxMessageBytes + 1));
            }

            var result = await socket.ReceiveAsync(input.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (length > maxMessageBytes)
            {
                // Our close only: a peer that sends oversized messages need not answer it for the session to end.
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", ct);
                return null;
            }

            if (result.EndOfMessage)
            {
                return input.AsMemory(0, length);
            }
        }
    }

    /// <summary>Sends one message as a single text frame; does nothing once the socket is no longer open.</summary>
    public async Task SendAsync(OutboundMediaStreamMessage message, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                output.ResetWrittenCount();
                message.WriteTo(output);
                await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, true, ct);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends our close frame only (after pending sends); the receive loop still sees the peer's answer.</summary>
    public async Task CloseOutputAsync(WebSocketCloseStatus status, string description, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(status, description, ct);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Completes the close handshake if the stream is still open; false when the peer had already gone away.</summary>
    public async Task<bool> CloseQuietlyAsync(WebSocketCloseStatus status, string description)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(status, description, CancellationToken.None);
            }
            else if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, description, CancellationToken.None);
            }

            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose() => sendLock.Dispose();
}
