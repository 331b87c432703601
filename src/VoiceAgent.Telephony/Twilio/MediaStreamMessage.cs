namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// A message Twilio sends on a Media Streams WebSocket (API-CONTRACTS.md §1.4); sipgate's audio-dock bridge speaks the
/// same protocol. Sequence numbers, chunks and timestamps are strings on the wire and numbers here.
/// </summary>
public abstract partial record MediaStreamMessage
{
    /// <summary>Always the first message.</summary>
    public sealed record Connected(string? Protocol, string? Version) : MediaStreamMessage;

    /// <summary>Sent once; <see cref="CustomParameters"/> holds the Stream's Parameter elements.</summary>
    public sealed record Start(
        string StreamSid,
        long? SequenceNumber,
        string AccountSid,
        string CallSid,
        IReadOnlyList<string> Tracks,
        IReadOnlyDictionary<string, string> CustomParameters,
        MediaFormat? MediaFormat) : MediaStreamMessage;

    /// <summary><see cref="Payload"/> is raw μ-law (8 kHz mono, no header), usually 20 ms = 160 bytes, not guaranteed.</summary>
    /// <param name="Timestamp">Milliseconds since the stream started.</param>
    public sealed record Media(
        string StreamSid,
        long? SequenceNumber,
        string Track,
        long Chunk,
        long Timestamp,
        ReadOnlyMemory<byte> Payload) : MediaStreamMessage;

    public sealed record Dtmf(string StreamSid, long? SequenceNumber, string Track, string Digit) : MediaStreamMessage;

    /// <summary>The echo of a mark we sent: the audio queued before it has played (or was cleared).</summary>
    public sealed record Mark(string StreamSid, long? SequenceNumber, string Name) : MediaStreamMessage;

    /// <summary>The last message; the socket closes after it.</summary>
    public sealed record Stop(string StreamSid, long? SequenceNumber, string? AccountSid, string? CallSid) : MediaStreamMessage;
}
