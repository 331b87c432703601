using System.Threading.Channels;

namespace VoiceAgent.Telephony;

/// <summary>
/// The bounded queue between a media stream's receive loop and its processing loop. Writing never waits (the receive
/// loop must keep up with 50 frames a second): when <c>capacity</c> items wait, the new item is dropped and counted, so
/// a flood of DTMF or speech events cannot grow memory. The session closes the stream once <see cref="Dropped"/> passes
/// its limit (<see cref="TelephonyOptions.StreamMaxDroppedTurns"/>).
/// </summary>
public sealed class TurnQueue<T>
{
    private readonly Channel<T> channel;
    private int dropped;

    public TurnQueue(int capacity)
    {
        Capacity = Math.Max(1, capacity);
        channel = Channel.CreateBounded<T>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full queue refuses the item instead of waiting
        });
    }

    public int Capacity { get; }

    /// <summary>Items waiting now.</summary>
    public int Count => channel.Reader.Count;

    /// <summary>Items refused because the queue was full.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    public ChannelReader<T> Reader => channel.Reader;

    /// <returns>False when the item was dropped (queue full or completed).</returns>
    public bool TryWrite(T item)
    {
        if (channel.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Increment(ref dropped);
        return false;
    }

    public void Complete() => channel.Writer.TryComplete();
}
