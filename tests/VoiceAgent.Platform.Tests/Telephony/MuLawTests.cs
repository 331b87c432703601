using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class MuLawTests
{
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    [InlineData(32635, 0x80)]
    [InlineData(100, 0xF2)]
    [InlineData(-100, 0x72)]
    [InlineData(1000, 0xCE)]
    public void Known_values_encode_per_g711(short sample, byte expected) => Assert.Equal(expected, MuLaw.Encode(sample));

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xF2, 104)]
    [InlineData(0xCE, 988)]
    public void Known_values_decode_per_g711(byte encoded, short expected) => Assert.Equal(expected, MuLaw.Decode(encoded));

    [Fact]
    public void Silence_frame_decodes_to_zeros()
    {
        var frame = Enumerable.Repeat(MuLaw.Silence, 160).ToArray();

        Assert.All(MuLaw.Decode(frame), s => Assert.Equal(0, s));
        Assert.All(MuLaw.Encode(new short[160]), b => Assert.Equal(MuLaw.Silence, b));
    }

    [Fact]
    public void Round_trip_error_stays_within_half_a_quantization_step_for_every_sample()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            var decoded = MuLaw.Decode(MuLaw.Encode((short)sample));
            var clipped = Math.Clamp(sample, -32635, 32635);
            // The step in segment s is 2^(s+3); decoding returns the middle of the step, and |x|+132 >= 2^(s+7).
            var bound = (Math.Abs(clipped) + 132) / 32.0;
            Assert.True(Math.Abs(decoded - clipped) <= bound, $"{sample} -> {decoded}");
            Assert.True(Math.Sign(decoded) * Math.Sign(sample) >= 0, $"{sample} changed sign");
        }
    }

    [Fact]
    public void Every_code_except_negative_zero_survives_decode_then_encode()
    {
        for (var code = 0; code < 256; code++)
        {
            var expected = code == 0x7F ? 0xFF : code;
            Assert.Equal(expected, MuLaw.Encode(MuLaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void Span_overloads_match_the_scalar_ones()
    {
        var pcm = Signals.Tone(440, 8000, 0.05, amplitude: 20000);

        var encoded = MuLaw.Encode(pcm);
        var decoded = MuLaw.Decode(encoded);

        Assert.Equal(pcm.Select(MuLaw.Encode), encoded);
        Assert.Equal(encoded.Select(MuLaw.Decode), decoded);
        Assert.Throws<ArgumentException>(() => MuLaw.Encode(pcm, new byte[pcm.Length - 1]));
    }
}
