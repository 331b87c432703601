using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>A caller's 20 ms μ-law frames for drivers of the real media path: the silent line, and speech — a 440 Hz
/// tone at speech level, which the app's voice activity detector takes for a voice (B5 and the soak rely on it).</summary>
internal static class CallerAudio
{
    public static readonly byte[] SilentFrame = [.. Enumerable.Repeat(MuLaw.Silence, AudioFrames.FrameBytes)];

    /// <summary>One second of speech, frame by frame (continuous phase: frame i follows frame i − 1).</summary>
    public static readonly byte[][] SpeechFrames = [.. Enumerable.Range(0, 50).Select(Tone)];

    private static byte[] Tone(int index)
    {
        var samples = new short[160];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(9000 * Math.Sin(2 * Math.PI * 440 * (index * 160 + i) / 8000.0));
        }

        return MuLaw.Encode(samples);
    }
}
