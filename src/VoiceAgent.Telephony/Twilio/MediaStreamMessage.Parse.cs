using System.Globalization;
using System.Text.Json;

namespace VoiceAgent.Telephony.Twilio;

public abstract partial record MediaStreamMessage
{
    /// <summary>
    /// Parses one text frame. Malformed JSON, an unknown event or a missing required field gives null, never an
    /// exception: a stream must survive one odd frame. Unknown fields are ignored.
    /// </summary>
    public static MediaStreamMessage? Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object ? Parse(root) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static MediaStreamMessage? Parse(JsonElement root)
    {
        var eventName = Text(root, "event");
        if (eventName == "connected")
        {
            return new Connected(Text(root, "protocol"), Text(root, "version"));
        }

        var body = eventName is null ? null : Object(root, eventName);
        var streamSid = Text(root, "streamSid") ?? (body is { } b ? Text(b, "streamSid") : null);
        if (streamSid is null || body is not { } payload)
        {
            return null;
        }

        var sequenceNumber = Number(root, "sequenceNumber");
        return eventName switch
        {
            "start" => ParseStart(payload, streamSid, sequenceNumber),
            "media" => ParseMedia(payload, streamSid, sequenceNumber),
            "dtmf" => Text(payload, "digit") is { } digit
                ? new Dtmf(streamSid, sequenceNumber, Text(payload, "track") ?? "inbound_track", digit)
                : null,
            "mark" => Text(payload, "name") is { } name ? new Mark(streamSid, sequenceNumber, name) : null,
            "stop" => new Stop(streamSid, sequenceNumber, Text(payload, "accountSid"), Text(payload, "callSid")),
            _ => null,
        };
    }

    private static Start? ParseStart(JsonElement start, string streamSid, long? sequenceNumber)
    {
        var accountSid = Text(start, "accountSid");
        var callSid = Text(start, "callSid");
        if (accountSid is null || callSid is null)
        {
            return null;
        }

        var tracks = new List<string>();
        if (start.TryGetProperty("tracks", out var trackArray) && trackArray.ValueKind == JsonValueKind.Array)
        {
            tracks.AddRange(trackArray.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!));
        }

        var custom = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Object(start, "customParameters") is { } parameters)
        {
            foreach (var parameter in parameters.EnumerateObject())
            {
                custom[parameter.Name] = parameter.Value.ValueKind == JsonValueKind.String
                    ? parameter.Value.GetString()!
                    : parameter.Value.GetRawText();
            }
        }

        MediaFormat? format = null;
        if (Object(start, "mediaFormat") is { } f)
        {
            format = new MediaFormat(Text(f, "encoding") ?? "", (int)(Number(f, "sampleRate") ?? 0), (int)(Number(f, "channels") ?? 0));
        }

        return new Start(streamSid, sequenceNumber, accountSid, callSid, tracks, custom, format);
    }

    private static Media? ParseMedia(JsonElement media, string streamSid, long? sequenceNumber)
    {
        var chunk = Number(media, "chunk");
        var timestamp = Number(media, "timestamp");
        var base64 = Text(media, "payload");
        if (chunk is null || timestamp is null || base64 is null)
        {
            return null;
        }

        var payload = new byte[base64.Length * 3 / 4];
        if (!Convert.TryFromBase64String(base64, payload, out var length))
        {
            return null;
        }

        return new Media(streamSid, sequenceNumber, Text(media, "track") ?? "inbound", chunk.Value, timestamp.Value, payload.AsMemory(0, length));
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    // Twilio sends numbers as strings ("sequenceNumber":"2"); other implementations send JSON numbers. Both count.
    private static long? Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            _ => null,
        };
    }
}
