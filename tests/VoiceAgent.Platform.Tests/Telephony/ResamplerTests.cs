using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class ResamplerTests
{
    private const int Target = Resampler.TelephoneRate;

    [Theory]
    [InlineData(24000)]
    [InlineData(22050)]
    [InlineData(16000)]
    public void One_kilohertz_tone_keeps_its_frequency_and_level(int sourceRate)
    {
        var input = Signals.Tone(1000, sourceRate, 1.0);

        var output = Resampler.Resample(input, sourceRate);

        Assert.Equal(Target, output.Length);
        var middle = output.AsSpan(400, 7200); // skip the filter's edges
        // 1 kHz at 8 kHz: two zero crossings per period, 900 periods in 0.9 s.
        Assert.InRange(Signals.ZeroCrossings(middle), 1798, 1802);
        Assert.InRange(20 * Math.Log10(Signals.Rms(middle) / Signals.Rms(input)), -0.5, 0.5);
    }

    [Theory]
    [InlineData(24000, 3900)]
    [InlineData(22050, 3900)]
    [InlineData(16000, 3900)]
    [InlineData(24000, 4000)]
    [InlineData(24000, 5000)]
    [InlineData(22050, 6000)]
    [InlineData(16000, 7000)]
    public void Components_from_3_9_kilohertz_up_are_removed_instead_of_folding_back(int sourceRate, int frequency)
    {
        var input = Signals.Tone(frequency, sourceRate, 1.0, amplitude: 16000);

        var output = Resampler.Resample(input, sourceRate);

        var attenuationDb = 20 * Math.Log10(Signals.Rms(output.AsSpan(400, 7200)) / Signals.Rms(input));
        Assert.True(attenuationDb < -60, $"{frequency} Hz from {sourceRate} Hz only {attenuationDb:F1} dB down");
    }

    [Fact]
    public void Speech_band_tone_survives_next_to_a_removed_high_tone()
    {
        var input = Signals.Sum(Signals.Tone(1000, 24000, 1.0), Signals.Tone(3950, 24000, 1.0, amplitude: 8000, phase: 0.3));

        var output = Resampler.Resample(input, 24000);

        var pure = Resampler.Resample(Signals.Tone(1000, 24000, 1.0), 24000);
        Assert.InRange(Signals.ZeroCrossings(output.AsSpan(400, 7200)), 1798, 1802);
        var difference = output.Zip(pure, (a, b) => (short)(a - b)).Skip(400).Take(7200).ToArray();
        Assert.True(Signals.Rms(difference) < 8000 * 0.01, $"residue {Signals.Rms(difference):F1}");
    }

    [Fact]
    public void Streaming_in_uneven_chunks_gives_the_same_samples_as_one_shot()
    {
        var input = Signals.Sum(Signals.Tone(700, 22050, 0.5), Signals.Noise(-30, 11025, seed: 7));
        var expected = Resampler.Resample(input, 22050);

        var resampler = new Resampler(22050);
        var streamed = new List<short>();
        var offset = 0;
        foreach (var size in Enumerable.Range(0, 1000).Select(i => (i * 37 % 500) + 1))
        {
            var take = Math.Min(size, input.Length - offset);
            streamed.AddRange(resampler.Process(input.AsSpan(offset, take)));
            offset += take;
            if (offset == input.Length)
            {
                break;
            }
        }

        streamed.AddRange(resampler.Flush());
        Assert.Equal(expected, streamed);
        Assert.Throws<InvalidOperationException>(() => resampler.Process(new short[10]));
    }

    [Theory]
    [InlineData(24000, 1, 1)]
    [InlineData(24000, 3, 1)]
    [InlineData(24000, 4, 2)]
    [InlineData(22050, 441, 160)]
    [InlineData(22050, 442, 161)]
    [InlineData(16000, 5, 3)]
    [InlineData(16000, 0, 0)]
    public void Output_length_is_the_input_duration_at_8_kilohertz_rounded_up(int sourceRate, int inputLength, int expected) =>
        Assert.Equal(expected, Resampler.Resample(new short[inputLength], sourceRate).Length);

    [Fact]
    public void Same_rate_passes_samples_through()
    {
        var input = Signals.Tone(440, Target, 0.1);

        Assert.Equal(input, Resampler.Resample(input, Target));
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(400_000)]
    public void Upsampling_and_absurd_rates_are_refused(int sourceRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(sourceRate));

    [Fact]
    public void Full_scale_input_does_not_wrap_around()
    {
        var input = Signals.Tone(1000, 16000, 0.2, amplitude: 32767);

        var output = Resampler.Resample(input, 16000);

        Assert.InRange(Signals.ZeroCrossings(output.AsSpan(100, 1400)), 348, 352);
    }
}
