using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// The work of a barge-in in MediaStreamSession.OnFrameAsync, which RealtimeCallTests no longer times: the detector hears
/// the caller start to speak on a frame and the <c>clear</c> goes to the socket at once (target: within the same 20 ms
/// frame). <see cref="SpeechOnset"/> is one call's detector fed until it reports SpeechStarted (calibration on line
/// noise, then speech); <see cref="SpeechOnsetAndClear"/> adds serializing and sending the clear over a
/// <see cref="MediaStreamSocket"/> (onto a stream that discards it). The difference is what the clear costs; either is the
/// CPU time, not the scheduling delay a busy machine adds (that is in the call metrics, <c>calls.barge_in_latencies_ms</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(QuickConfig))]
public class BargeInBenchmarks
{
    private readonly byte[] noise = Tone(amplitude: 30);
    private readonly byte[] speech = Tone(amplitude: 9000);
    private MediaStreamSocket socket = null!;

    [GlobalSetup]
    public void Setup() =>
        socket = new MediaStreamSocket(WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true }), 64 * 1024);

    [GlobalCleanup]
    public void Cleanup() => socket.Dispose();

    [Benchmark(Baseline = true)]
    public int SpeechOnset()
    {
        var vad = new VoiceActivityDetector();
        return DetectOnset(vad);
    }

    [Benchmark]
    public async Task<int> SpeechOnsetAndClear()
    {
        var vad = new VoiceActivityDetector();
        var frames = DetectOnset(vad);
        await socket.SendAsync(new OutboundMediaStreamMessage.Clear("MZ00000000000000000000000000000000"), CancellationToken.None);
        return frames;
    }

    private int DetectOnset(VoiceActivityDetector vad)
    {
        for (var i = 0; i < 100; i++)
        {
            // Line noise through the calibration (200 ms), then speech until the detector reports the onset.
            if (vad.Process(i < 15 ? noise : speech) is VoiceActivityEvent.SpeechStarted)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException("The detector never heard the speech.");
    }

    private static byte[] Tone(double amplitude)
    {
        var samples = new short[AudioFrames.FrameBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(amplitude * Math.Sin(2 * Math.PI * 440 * i / AudioFrames.SampleRate));
        }

        return MuLaw.Encode(samples);
    }
}
