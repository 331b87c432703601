using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Telephony;
using VoiceAgent.Testing;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>The media WebSocket's limits: start in time, message size, bounded turn queue — on an in-memory socket pair.</summary>
public sealed class MediaStreamLimitsTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_websocket_without_start_is_closed_with_policy_violation_after_five_seconds()
    {
        var time = new FakeTimeProvider();
        var (server, client) = Pair();
        var session = Session(server, time);
        var run = session.RunAsync(CancellationToken.None);
        var received = client.ReceiveAsync(new byte[1024], CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Yield();
        Assert.False(received.IsCompleted);
        Assert.Null(session.ClosedBecause);

        time.Advance(TimeSpan.FromSeconds(1));
        var close = await received.WaitAsync(Hang);

        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.CloseStatus);
        Assert.Equal("no start", session.ClosedBecause);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await run.WaitAsync(Hang);
    }

    [Fact]
    public async Task A_peer_that_does_not_answer_the_close_is_aborted_after_the_grace_period()
    {
        var time = new FakeTimeProvider();
        var (server, client) = Pair();
        var session = Session(server, time);
        var run = session.RunAsync(CancellationToken.None);
        var received = client.ReceiveAsync(new byte[1024], CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await received.WaitAsync(Hang)).CloseStatus);
        Assert.False(run.IsCompleted);

        // The client never answers our close: two more seconds and the receive loop gives up.
        await Eventually.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return run.IsCompleted;
        }, "the receive loop aborted");
    }

    [Fact]
    public async Task An_oversized_message_closes_the_stream_as_message_too_big()
    {
        var time = new FakeTimeProvider();
        var (server, client) = Pair();
        var session = Session(server, time, new TelephonyOptions { MaxStreamMessageBytes = 64 * 1024 });
        var run = session.RunAsync(CancellationToken.None);

        var big = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', 70 * 1024) + "\"}}");
        await client.SendAsync(big, WebSocketMessageType.Text, true, CancellationToken.None);
        var close = await client.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Hang);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.CloseStatus);
        await run.WaitAsync(Hang);
    }

    [Fact]
    public void A_flood_of_100k_dtmf_turns_keeps_the_queue_at_its_capacity_and_counts_the_drops()
    {
        var queue = new TurnQueue<string>(new TelephonyOptions().StreamMaxQueuedTurns);
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            accepted += queue.TryWrite((i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)) ? 1 : 0;
        }

        Assert.Equal(32, queue.Capacity);
        Assert.Equal(32, accepted);
        Assert.Equal(32, queue.Count);
        Assert.Equal(100_000 - 32, queue.Dropped);

        // Reading makes room again: the queue refuses only while full.
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal("0", first);
        Assert.True(queue.TryWrite("#"));
        Assert.False(queue.TryWrite("#"));
    }

    [Fact]
    public async Task Dtmf_messages_before_start_are_ignored_and_queue_nothing()
    {
        var time = new FakeTimeProvider();
        var (server, client) = Pair();
        var session = Session(server, time);
        var run = session.RunAsync(CancellationToken.None);

        var dtmf = Encoding.UTF8.GetBytes("{\"event\":\"dtmf\",\"streamSid\":\"MZ1\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"1\"}}");
        for (var i = 0; i < 10_000; i++)
        {
            await client.SendAsync(dtmf, WebSocketMessageType.Text, true, CancellationToken.None);
        }

        Assert.Equal(0, session.QueuedTurns);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await client.ReceiveAsync(new byte[1024], CancellationToken.None).WaitAsync(Hang)).CloseStatus);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await run.WaitAsync(Hang);
    }

    private static MediaStreamSession Session(WebSocket server, TimeProvider time, TelephonyOptions? options = null)
    {
        var services = new ServiceCollection().BuildServiceProvider();
        return new MediaStreamSession(server, services.GetRequiredService<IServiceScopeFactory>(),
            new StreamTokens(new EphemeralDataProtectionProvider(), time), options ?? new TelephonyOptions { PaceAudio = false },
            NullLogger<MediaStreamSession>.Instance, time);
    }

    /// <summary>Two WebSockets talking to each other through in-memory pipes (server and client side).</summary>
    private static (WebSocket Server, WebSocket Client) Pair()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = WebSocket.CreateFromStream(new Duplex(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var client = WebSocket.CreateFromStream(new Duplex(toClient.Reader.AsStream(), toServer.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        return (server, client);
    }

    private sealed class Duplex(Stream read, Stream write) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            read.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            write.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => write.FlushAsync(cancellationToken);

        public override void Flush() => write.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                read.Dispose();
                write.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
