using System.Collections.Concurrent;

namespace VoiceAgent.Platform.Audio;

/// <summary>
/// Converts 16-bit mono PCM (typically TTS output at 24000, 22050 or 16000 Hz) down to the telephone rate with a
/// Kaiser-windowed sinc low-pass (polyphase, any rational ratio). At 8 kHz: flat to 3.1 kHz, −2.4 dB at 3.4 kHz,
/// −6 dB at 3.5 kHz and more than 70 dB down from 3.9 kHz, so nothing folds back into the band. Streaming: feed chunks to <see cref="Process"/> and call
/// <see cref="Flush"/> once at the end; output is time-aligned with the input (no added delay).
/// </summary>
public sealed class Resampler
{
    public const int TelephoneRate = 8000;

    /// <summary>Filter half-length in output samples; sets the transition band width (≈ 0.09 × target rate).</summary>
    private const int HalfLengthInOutputSamples = 24;

    private const double CutoffFractionOfTarget = 0.4375;
    private const double KaiserBeta = 7.0;

    private static readonly ConcurrentDictionary<(int Source, int Target), Kernel> Kernels = new();

    private readonly Kernel? kernel;
    private float[] buffer;
    private int count;
    private long bufferStart;
    private long realInput;
    private long nextOutput;
    private bool flushed;

    public Resampler(int sourceRate, int targetRate = TelephoneRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetRate, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourceRate, targetRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourceRate, 192_000);
        SourceRate = sourceRate;
        TargetRate = targetRate;
        kernel = sourceRate == targetRate ? null : Kernels.GetOrAdd((sourceRate, targetRate), static key => Kernel.Create(key.Source, key.Target));

        // Samples before the start count as zeros; pre-filling them keeps the loop free of edge cases.
        var leadingZeros = kernel is null ? 0 : kernel.HalfWidth - 1;
        buffer = new float[Math.Max(1024, leadingZeros * 2)];
        count = leadingZeros;
        bufferStart = -leadingZeros;
    }

    public int SourceRate { get; }

    public int TargetRate { get; }

    public static short[] Resample(ReadOnlySpan<short> input, int sourceRate, int targetRate = TelephoneRate)
    {
        var resampler = new Resampler(sourceRate, targetRate);
        var head = resampler.Process(input);
        var tail = resampler.Flush();
        return [.. head, .. tail];
    }

    /// <summary>Returns the output samples that are complete so far; the filter keeps a few input samples back.</summary>
    public short[] Process(ReadOnlySpan<short> input)
    {
        if (flushed)
        {
            throw new InvalidOperationException("The resampler was flushed; use a new one for the next audio.");
        }

        realInput += input.Length;
        if (kernel is null)
        {
            return input.ToArray();
        }

        Append(input.Length, input);
        return Emit(limit: long.MaxValue);
    }

    /// <summary>Returns the rest, treating the input as followed by silence; the total output is ceil(inputs × target / source) samples.</summary>
    public short[] Flush()
    {
        if (flushed)
        {
            return [];
        }

        flushed = true;
        if (kernel is null)
        {
            return [];
        }

        Append(kernel.HalfWidth + 1, []);
        var totalOutputs = (realInput * kernel.Up + kernel.Down - 1) / kernel.Down;
        return Emit(limit: totalOutputs);
    }

    private void Append(int length, ReadOnlySpan<short> samples)
    {
        if (count + length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, count + length));
        }

        for (var i = 0; i < length; i++)
        {
            buffer[count + i] = i < samples.Length ? samples[i] : 0f;
        }

        count += length;
    }

    private short[] Emit(long limit)
    {
        var k = kernel!;
        var taps = 2 * k.HalfWidth;
        var output = new List<short>();
        while (nextOutput < limit)
        {
            var position = nextOutput * k.Down;
            var center = position / k.Up;
            if (center + k.HalfWidth >= bufferStart + count)
            {
                break;
            }

            var phase = k.Phases[(int)(position % k.Up)];
            var first = (int)(center - k.HalfWidth + 1 - bufferStart);
            var window = buffer.AsSpan(first, taps);
            var sum = 0f;
            for (var t = 0; t < taps; t++)
            {
                sum += window[t] * phase[t];
            }

            output.Add((short)Math.Clamp(MathF.Round(sum), short.MinValue, short.MaxValue));
            nextOutput++;
        }

        // Keep only what the next output still needs.
        var needed = nextOutput * k.Down / k.Up - k.HalfWidth + 1;
        var drop = (int)Math.Clamp(needed - bufferStart, 0, count);
        if (drop > 0)
        {
            buffer.AsSpan(drop, count - drop).CopyTo(buffer);
            count -= drop;
            bufferStart += drop;
        }

        return [.. output];
    }

    private sealed record Kernel(int Up, int Down, int HalfWidth, float[][] Phases)
    {
        public static Kernel Create(int sourceRate, int targetRate)
        {
            var gcd = Gcd(sourceRate, targetRate);
            var up = targetRate / gcd;
            var down = sourceRate / gcd;
            var halfWidth = (int)Math.Ceiling(HalfLengthInOutputSamples * (double)down / up);
            var cutoff = CutoffFractionOfTarget * targetRate / sourceRate; // cycles per input sample
            var i0Beta = BesselI0(KaiserBeta);

            var phases = new float[up][];
            for (var p = 0; p < up; p++)
            {
                var fraction = (double)p / up;
                var taps = new double[2 * halfWidth];
                for (var t = 0; t < taps.Length; t++)
                {
                    // Tap t multiplies input sample (center - halfWidth + 1 + t); tau is the output time minus that sample's time.
                    var tau = fraction + halfWidth - 1 - t;
                    var x = tau / halfWidth;
                    var window = Math.Abs(x) >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - x * x)) / i0Beta;
                    taps[t] = 2 * cutoff * Sinc(2 * cutoff * tau) * window;
                }

                var gain = taps.Sum();
                phases[p] = taps.Select(v => (float)(v / gain)).ToArray();
            }

            return new Kernel(up, down, halfWidth, phases);
        }

        private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

        private static double BesselI0(double x)
        {
            var sum = 1.0;
            var term = 1.0;
            for (var k = 1; term > 1e-12 * sum; k++)
            {
                var half = x / (2 * k);
                term *= half * half;
                sum += term;
            }

            return sum;
        }

        private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
    }
}
