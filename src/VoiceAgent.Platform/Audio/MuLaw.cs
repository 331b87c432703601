using System.Numerics;

namespace VoiceAgent.Platform.Audio;

/// <summary>
/// G.711 μ-law for 16-bit PCM, the telephone codec Twilio and sipgate streams carry (8 kHz, one byte per sample).
/// 0xFF is digital silence.
/// </summary>
public static class MuLaw
{
    public const byte Silence = 0xFF;

    private const int Bias = 0x84;
    private const int Clip = 32635;

    private static readonly short[] DecodeTable = BuildDecodeTable();

    /// <summary>ITU-T G.711: sign, 3-bit segment, 4-bit mantissa of the biased magnitude, all bits inverted.</summary>
    public static byte Encode(short sample)
    {
        int value = sample;
        var sign = value < 0 ? 0x80 : 0;
        var magnitude = Math.Min(Math.Abs(value), Clip) + Bias;
        var segment = 31 - BitOperations.LeadingZeroCount((uint)magnitude >> 7);
        var mantissa = (magnitude >> (segment + 3)) & 0x0F;
        return (byte)~(sign | (segment << 4) | mantissa);
    }

    public static short Decode(byte encoded) => DecodeTable[encoded];

    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        if (destination.Length < pcm.Length)
        {
            throw new ArgumentException("The destination needs one byte per sample.", nameof(destination));
        }

        for (var i = 0; i < pcm.Length; i++)
        {
            destination[i] = Encode(pcm[i]);
        }
    }

    public static byte[] Encode(ReadOnlySpan<short> pcm)
    {
        var encoded = new byte[pcm.Length];
        Encode(pcm, encoded);
        return encoded;
    }

    public static void Decode(ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        if (destination.Length < encoded.Length)
        {
            throw new ArgumentException("The destination needs one sample per byte.", nameof(destination));
        }

        for (var i = 0; i < encoded.Length; i++)
        {
            destination[i] = DecodeTable[encoded[i]];
        }
    }

    public static short[] Decode(ReadOnlySpan<byte> encoded)
    {
        var pcm = new short[encoded.Length];
        Decode(encoded, pcm);
        return pcm;
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            var inverted = ~i & 0xFF;
            var segment = (inverted >> 4) & 0x07;
            var mantissa = inverted & 0x0F;
            var magnitude = (((mantissa << 3) + Bias) << segment) - Bias;
            table[i] = (short)((inverted & 0x80) != 0 ? -magnitude : magnitude);
        }

        return table;
    }
}
