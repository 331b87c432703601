using System.Buffers.Binary;
using System.Text;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class WavFileTests
{
    [Fact]
    public void Narrowband_file_has_the_exact_44_byte_header_sipgate_needs()
    {
        short[] samples = [0, 1, -1, short.MaxValue, short.MinValue];

        var wav = WavFile.WriteNarrowband(samples);

        Assert.Equal(44 + 10, wav.Length);
        Assert.Equal("RIFF", Ascii(wav, 0));
        Assert.Equal(36u + 10, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal("WAVEfmt ", Encoding.ASCII.GetString(wav, 8, 8));
        Assert.Equal(16u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(16)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20)));     // PCM
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22)));     // mono
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(28))); // byte rate
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(32)));     // block align
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));    // bits
        Assert.Equal("data", Ascii(wav, 36));
        Assert.Equal(10u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Equal([0x00, 0x00, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x80], wav[44..]);
    }

    [Fact]
    public void Written_file_reads_back()
    {
        var samples = Signals.Tone(440, 8000, 0.25);

        var audio = WavFile.Read(WavFile.WriteNarrowband(samples));

        Assert.Equal(8000, audio.SampleRate);
        Assert.Equal(samples, audio.Samples);
        Assert.Equal(TimeSpan.FromMilliseconds(250), audio.Duration);
    }

    [Fact]
    public void Stream_overloads_write_and_read_the_same_bytes()
    {
        var samples = Signals.Tone(440, 8000, 0.01);
        using var stream = new MemoryStream();

        WavFile.WriteNarrowband(stream, samples);
        stream.Position = 0;

        Assert.Equal(WavFile.WriteNarrowband(samples), stream.ToArray());
        Assert.Equal(samples, WavFile.Read(stream).Samples);
    }

    [Fact]
    public void Stereo_is_averaged_to_mono_and_unknown_chunks_are_skipped()
    {
        short[] interleaved = [1000, 3000, -2000, -4000, 32767, 32767];
        var wav = Build(format: 1, channels: 2, sampleRate: 24000, bits: 16, Pcm(interleaved), extraChunk: true);

        var audio = WavFile.Read(wav);

        Assert.Equal(24000, audio.SampleRate);
        Assert.Equal([2000, -3000, 32767], audio.Samples);
    }

    [Fact]
    public void Extensible_pcm_and_streamed_data_size_are_read()
    {
        short[] samples = [5, -5, 7];
        var wav = Build(format: 0xFFFE, channels: 1, sampleRate: 22050, bits: 16, Pcm(samples), extraChunk: false, dataSize: uint.MaxValue);

        var audio = WavFile.Read(wav);

        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(samples, audio.Samples);
    }

    [Fact]
    public void Non_pcm16_or_broken_files_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => WavFile.Read(Encoding.ASCII.GetBytes("ID3 not a wav file")));
        Assert.Throws<InvalidDataException>(() => WavFile.Read(Build(format: 1, channels: 1, sampleRate: 8000, bits: 8, [1, 2], extraChunk: false)));
        Assert.Throws<InvalidDataException>(() => WavFile.Read(Build(format: 7, channels: 1, sampleRate: 8000, bits: 8, [0xFF], extraChunk: false)));
        Assert.Throws<InvalidDataException>(() => WavFile.Read(Build(format: 1, channels: 6, sampleRate: 48000, bits: 16, new byte[12], extraChunk: false)));
        Assert.Throws<InvalidDataException>(() => WavFile.Read(WavFile.WriteNarrowband([1, 2])[..36]));
    }

    private static string Ascii(byte[] bytes, int offset) => Encoding.ASCII.GetString(bytes, offset, 4);

    private static byte[] Pcm(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        }

        return bytes;
    }

    private static byte[] Build(ushort format, ushort channels, int sampleRate, ushort bits, byte[] data, bool extraChunk, uint? dataSize = null)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(0u); // many writers leave it wrong; the reader does not rely on it
        writer.Write("WAVE"u8);
        if (extraChunk)
        {
            writer.Write("LIST"u8);
            writer.Write(5u);
            writer.Write("INFOx"u8);
            writer.Write((byte)0); // pad byte for the odd size
        }

        var extensible = format == 0xFFFE;
        writer.Write("fmt "u8);
        writer.Write(extensible ? 40u : 16u);
        writer.Write(format);
        writer.Write(channels);
        writer.Write(sampleRate);
        writer.Write(sampleRate * channels * bits / 8);
        writer.Write((ushort)(channels * bits / 8));
        writer.Write(bits);
        if (extensible)
        {
            writer.Write((ushort)22);
            writer.Write(bits);
            writer.Write(4u);
            writer.Write(new Guid("00000001-0000-0010-8000-00aa00389b71").ToByteArray());
        }

        writer.Write("data"u8);
        writer.Write(dataSize ?? (uint)data.Length);
        writer.Write(data);
        writer.Flush();
        return stream.ToArray();
    }
}
