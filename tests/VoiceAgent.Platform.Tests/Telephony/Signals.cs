using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>Synthetic test audio: tones, seeded noise and simple measurements.</summary>
internal static class Signals
{
    public static short[] Tone(double frequency, int sampleRate, double seconds, double amplitude = 8000, double phase = 0)
    {
        var samples = new short[(int)Math.Round(sampleRate * seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate + phase));
        }

        return samples;
    }

    public static short[] Sum(short[] a, short[] b) =>
        a.Zip(b, (x, y) => (short)Math.Clamp(x + y, short.MinValue, short.MaxValue)).ToArray();

    /// <summary>Gaussian-ish white noise (sum of uniforms) with the given RMS level in dBFS.</summary>
    public static short[] Noise(double dbfs, int count, int seed)
    {
        var random = new Random(seed);
        var rms = 32768 * Math.Pow(10, dbfs / 20);
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5; // variance 0.25
            samples[i] = (short)Math.Clamp(Math.Round(u * 2 * rms), short.MinValue, short.MaxValue);
        }

        return samples;
    }

    /// <summary>Amplitude of a sine with the given RMS level in dBFS (full-scale sine = −3 dBFS).</summary>
    public static double SineAmplitude(double dbfs) => 32768 * Math.Pow(10, dbfs / 20) * Math.Sqrt(2);

    public static int ZeroCrossings(ReadOnlySpan<short> samples)
    {
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if ((samples[i - 1] < 0) != (samples[i] < 0))
            {
                crossings++;
            }
        }

        return crossings;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    public static IReadOnlyList<byte[]> MuLawFrames(params short[][] parts) => AudioFrames.Split(MuLaw.Encode(parts.SelectMany(p => p).ToArray()));
}
