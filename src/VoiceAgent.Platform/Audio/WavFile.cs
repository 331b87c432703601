using System.Buffers.Binary;

namespace VoiceAgent.Platform.Audio;

/// <summary>
/// RIFF/WAVE with 16-bit PCM. Reading accepts mono and stereo (averaged to mono) at any rate and skips chunks it does
/// not need; writing produces the one format sipgate plays: 8 kHz, mono, 16-bit PCM with a plain 44-byte header.
/// </summary>
public static class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatExtensible = 0xFFFE;
    private const int HeaderBytes = 44;

    /// <exception cref="InvalidDataException">Not a RIFF/WAVE file, or not 16-bit PCM with one or two channels.</exception>
    public static WavAudio Read(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a RIFF/WAVE file.");
        }

        int? channels = null;
        var sampleRate = 0;
        var offset = 12;
        while (offset + 8 <= wav.Length)
        {
            var id = wav.Slice(offset, 4);
            var declared = BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice(offset + 4, 4));
            var bodyStart = offset + 8;
            // Streamed files declare 0 or 0xFFFFFFFF for data; a truncated file declares more than it has.
            var size = (int)Math.Min(declared, (uint)(wav.Length - bodyStart));
            var body = wav.Slice(bodyStart, size);

            if (id.SequenceEqual("fmt "u8))
            {
                (channels, sampleRate) = ReadFormat(body);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels is null)
                {
                    throw new InvalidDataException("The WAV data chunk comes before its fmt chunk.");
                }

                if (declared == 0 || declared == uint.MaxValue)
                {
                    body = wav[bodyStart..];
                }

                return new WavAudio(ToMono(body, channels.Value), sampleRate);
            }

            offset = bodyStart + size + (size & 1);
        }

        throw new InvalidDataException("The WAV file has no data chunk.");
    }

    public static WavAudio Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Read(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>8 kHz mono 16-bit PCM WAV; resample first (see <see cref="Resampler"/>).</summary>
    public static byte[] WriteNarrowband(ReadOnlySpan<short> samples8kHz)
    {
        var dataBytes = checked(samples8kHz.Length * 2);
        var wav = new byte[HeaderBytes + dataBytes];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(HeaderBytes - 8 + dataBytes));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], AudioFrames.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], AudioFrames.SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataBytes);
        for (var i = 0; i < samples8kHz.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(HeaderBytes + 2 * i)..], samples8kHz[i]);
        }

        return wav;
    }

    public static void WriteNarrowband(Stream destination, ReadOnlySpan<short> samples8kHz)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(WriteNarrowband(samples8kHz));
    }

    private static (int Channels, int SampleRate) ReadFormat(ReadOnlySpan<byte> fmt)
    {
        if (fmt.Length < 16)
        {
            throw new InvalidDataException("The WAV fmt chunk is too short.");
        }

        var format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        var bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (format == FormatExtensible && fmt.Length >= 26)
        {
            // WAVEFORMATEXTENSIBLE: the sub-format GUID starts with the actual format tag.
            format = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (format != FormatPcm || bitsPerSample != 16)
        {
            throw new InvalidDataException($"Only 16-bit PCM WAV is supported (format {format}, {bitsPerSample} bits).");
        }

        if (channels is not (1 or 2))
        {
            throw new InvalidDataException($"Only mono or stereo WAV is supported ({channels} channels).");
        }

        if (sampleRate <= 0)
        {
            throw new InvalidDataException("The WAV sample rate is invalid.");
        }

        return (channels, sampleRate);
    }

    private static short[] ToMono(ReadOnlySpan<byte> data, int channels)
    {
        var frameBytes = 2 * channels;
        var samples = new short[data.Length / frameBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            var frame = data.Slice(i * frameBytes, frameBytes);
            var left = BinaryPrimitives.ReadInt16LittleEndian(frame);
            samples[i] = channels == 1 ? left : (short)((left + BinaryPrimitives.ReadInt16LittleEndian(frame[2..])) >> 1);
        }

        return samples;
    }
}
