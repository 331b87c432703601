using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// A message we send to Twilio on a bidirectional stream (&lt;Connect&gt;&lt;Stream&gt;), serialized exactly as in
/// API-CONTRACTS.md §1.4. Send it as one WebSocket text frame.
/// </summary>
public abstract record OutboundMediaStreamMessage(string StreamSid)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Queues audio for playback. <see cref="Payload"/> is raw μ-law 8 kHz mono without any WAV header.</summary>
    public sealed record Media(string StreamSid, ReadOnlyMemory<byte> Payload) : OutboundMediaStreamMessage(StreamSid)
    {
        protected override string Event => "media";

        protected override void WriteBody(Utf8JsonWriter json)
        {
            json.WriteStartObject("media");
            json.WriteBase64String("payload", Payload.Span);
            json.WriteEndObject();
        }
    }

    /// <summary>Twilio echoes the mark once the audio queued before it has played, or when a clear flushes it.</summary>
    public sealed record Mark(string StreamSid, string Name) : OutboundMediaStreamMessage(StreamSid)
    {
        protected override string Event => "mark";

        protected override void WriteBody(Utf8JsonWriter json)
        {
            json.WriteStartObject("mark");
            json.WriteString("name", Name);
            json.WriteEndObject();
        }
    }

    /// <summary>Drops the buffered playback (barge-in); pending marks come back.</summary>
    public sealed record Clear(string StreamSid) : OutboundMediaStreamMessage(StreamSid)
    {
        protected override string Event => "clear";

        protected override void WriteBody(Utf8JsonWriter json)
        {
        }
    }

    protected abstract string Event { get; }

    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the message's UTF-8 JSON to <paramref name="output"/> (a buffer reused per stream).</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteString("event", Event);
        json.WriteString("streamSid", StreamSid);
        WriteBody(json);
        json.WriteEndObject();
    }

    public string ToJson() => System.Text.Encoding.UTF8.GetString(ToUtf8Json());

    protected abstract void WriteBody(Utf8JsonWriter json);
}
