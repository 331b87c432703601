using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>Synthesized audio by (engine, voice, text), least recently used out first. One instance per process (a
/// singleton): engines are chosen per call, so the cache must outlive them. Concurrent requests for the same text share
/// one synthesis; failures are not cached.</summary>
public sealed class TextToSpeechCache
{
    public const int DefaultCapacity = 200;

    private readonly int capacity;
    private readonly Lock gate = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, byte[] Audio)>> entries = [];
    private readonly LinkedList<(Key Key, byte[] Audio)> recency = []; // most recently used first
    private readonly Dictionary<Key, Task<byte[]>> pending = [];

    public TextToSpeechCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <returns>A copy: the caller may do with it what it likes.</returns>
    internal async ValueTask<byte[]> GetOrSynthesizeAsync(string engine, ITextToSpeech inner, string text, string? voice, CancellationToken ct)
    {
        var key = new Key(engine, voice ?? "", text);
        Task<byte[]> synthesis;
        TaskCompletionSource<byte[]>? mine = null;
        lock (gate)
        {
            if (entries.TryGetValue(key, out var node))
            {
                recency.Remove(node);
                recency.AddFirst(node);
                return [.. node.Value.Audio];
            }

            if (!pending.TryGetValue(key, out synthesis!))
            {
                mine = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending[key] = synthesis = mine.Task;
            }
        }

        if (mine is not null)
        {
            // Outside the lock: the engine may complete synchronously.
            _ = SynthesizeAsync(key, inner, mine);
        }

        return [.. await synthesis.WaitAsync(ct)];
    }

    /// <summary>The cached audio (a copy), or null.</summary>
    internal byte[]? Find(string engine, string? voice, string text)
    {
        lock (gate)
        {
            if (!entries.TryGetValue(new Key(engine, voice ?? "", text), out var node))
            {
                return null;
            }

            recency.Remove(node);
            recency.AddFirst(node);
            return [.. node.Value.Audio];
        }
    }

    /// <summary>Keeps audio synthesized elsewhere (a stream that ran to its end).</summary>
    internal void Store(string engine, string? voice, string text, byte[] audio)
    {
        lock (gate)
        {
            Add(new Key(engine, voice ?? "", text), audio);
        }
    }

    private void Add(Key key, byte[] audio)
    {
        if (!entries.ContainsKey(key))
        {
            entries[key] = recency.AddFirst((key, audio));
            if (entries.Count > capacity)
            {
                var oldest = recency.Last!;
                recency.RemoveLast();
                entries.Remove(oldest.Value.Key);
            }
        }
    }

    /// <summary>Runs without the caller's token: a caller who hangs up must not fail the others waiting for the same
    /// greeting. The engines bound their own time.</summary>
    private async Task SynthesizeAsync(Key key, ITextToSpeech inner, TaskCompletionSource<byte[]> result)
    {
        byte[] audio;
        try
        {
            audio = await inner.SynthesizeMuLawAsync(key.Text, key.Voice.Length == 0 ? null : key.Voice, CancellationToken.None);
        }
        catch (Exception ex)
        {
            lock (gate)
            {
                pending.Remove(key);
            }

            result.SetException(ex); // every waiter sees it; the next request tries again
            return;
        }

        lock (gate)
        {
            pending.Remove(key);
            Add(key, audio);
        }

        result.SetResult(audio);
    }

    private readonly record struct Key(string Engine, string Voice, string Text);
}
