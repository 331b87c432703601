namespace VoiceAgent.Benchmarks.Load;

/// <summary>What went wrong on the server side of the stream benchmark; a step reports the change during its run.</summary>
internal sealed class StreamServerCounters
{
    private int aborted;
    private int unexpectedSpeech;

    /// <summary>Streams the server saw fail (socket error, reset, cancellation) instead of closing normally.</summary>
    public int Aborted => Volatile.Read(ref aborted);

    public int UnexpectedSpeechEvents => Volatile.Read(ref unexpectedSpeech);

    public string? LastError { get; private set; }

    public void Dropped(Exception ex)
    {
        Interlocked.Increment(ref aborted);
        LastError = $"{ex.GetType().Name}: {ex.Message}";
    }

    public void UnexpectedSpeech() => Interlocked.Increment(ref unexpectedSpeech);
}
