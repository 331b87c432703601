using System.Globalization;
using System.Text;
using System.Text.Unicode;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// What a simulated caller sends on a Media Streams WebSocket, in Twilio's wire format (API-CONTRACTS.md §1.4), and the
/// audio both sides send. The caller is listening while the agent speaks: its frames are quiet line noise, so the voice
/// activity detector runs on every frame but never starts an utterance (which would be a barge-in and stop the agent).
/// </summary>
internal static class TwilioStreamMessages
{
    public const string AccountSid = "AC11111111111111111111111111111111";

    private static readonly string[] InboundPayloads = Frames(50, noise: true).Select(Convert.ToBase64String).ToArray();

    /// <summary>One second of a 440 Hz tone at about −12 dBFS: the agent's speech, cycled.</summary>
    public static readonly byte[][] AgentSpeech = Frames(50, noise: false);

    public static byte[] Connected() => Encoding.UTF8.GetBytes("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");

    /// <summary>The custom parameter <c>frames</c> tells the agent endpoint how many frames to speak.</summary>
    public static byte[] Start(string streamSid, string callSid, int agentFrames) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$$"""{"event":"start","sequenceNumber":"1","start":{"accountSid":"{{{AccountSid}}}","streamSid":"{{{streamSid}}}","callSid":"{{{callSid}}}","tracks":["inbound"],"customParameters":{"token":"benchmark","frames":"{{{agentFrames}}}"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"{{{streamSid}}}"}"""));

    public static byte[] Stop(string streamSid, string callSid, int sequenceNumber) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$"""{"event":"stop","sequenceNumber":"{{sequenceNumber}}","stop":{"accountSid":"{{AccountSid}}","callSid":"{{callSid}}"},"streamSid":"{{streamSid}}"}"""));

    /// <summary>Writes inbound media frame <paramref name="chunk"/> (0-based) into <paramref name="destination"/> without allocating.</summary>
    public static int WriteMedia(Span<byte> destination, string streamSid, int chunk)
    {
        var payload = InboundPayloads[chunk % InboundPayloads.Length];
        if (!Utf8.TryWrite(destination, CultureInfo.InvariantCulture,
                $$$"""{"event":"media","sequenceNumber":"{{{chunk + 2}}}","media":{"track":"inbound","chunk":"{{{chunk + 1}}}","timestamp":"{{{chunk * 20}}}","payload":"{{{payload}}}"},"streamSid":"{{{streamSid}}}"}""",
                out var written))
        {
            throw new InvalidOperationException("The media message buffer is too small.");
        }

        return written;
    }

    /// <summary>True for a text message that starts like a media event; both endpoints' media messages do.</summary>
    public static bool IsMedia(ReadOnlySpan<byte> message) => message.StartsWith("{\"event\":\"media\""u8);

    public static bool IsMark(ReadOnlySpan<byte> message) => message.StartsWith("{\"event\":\"mark\""u8);

    private static byte[][] Frames(int count, bool noise)
    {
        var random = new Random(42);
        var pcm = new short[AudioFrames.FrameBytes];
        var frames = new byte[count][];
        for (var f = 0; f < count; f++)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                var t = (f * pcm.Length + i) / (double)AudioFrames.SampleRate;
                pcm[i] = noise ? (short)random.Next(-30, 31) : (short)(8000 * Math.Sin(2 * Math.PI * 440 * t));
            }

            frames[f] = MuLaw.Encode(pcm);
        }

        return frames;
    }
}
