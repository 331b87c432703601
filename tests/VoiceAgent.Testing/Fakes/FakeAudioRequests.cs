using System.Buffers.Binary;

namespace VoiceAgent.Testing.Fakes;

/// <summary>One /v1/audio/transcriptions request as received: the multipart fields and the uploaded file.</summary>
/// <param name="Wav">The file's format when it is a RIFF/WAVE file, otherwise null.</param>
public sealed record FakeTranscriptionRequest(
    string? Authorization, string? Model, string? Language, string? ResponseFormat, string? FileName, byte[] File, FakeWavFormat? Wav);

/// <summary>One /v1/audio/speech request as received.</summary>
public sealed record FakeSpeechRequest(string? Authorization, string? Model, string? Input, string? Voice, string? ResponseFormat);

/// <summary>The fmt chunk of a RIFF/WAVE file and the size of its data chunk.</summary>
/// <param name="FormatTag">1 for PCM.</param>
public sealed record FakeWavFormat(int FormatTag, int Channels, int SampleRate, int BitsPerSample, int DataBytes)
{
    public TimeSpan Duration => Channels * BitsPerSample == 0 || SampleRate == 0
        ? TimeSpan.Zero
        : TimeSpan.FromSeconds(DataBytes / (Channels * BitsPerSample / 8.0) / SampleRate);

    /// <returns>Null when the bytes are not a RIFF/WAVE file with a fmt chunk before its data chunk.</returns>
    public static FakeWavFormat? Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        (int Tag, int Channels, int Rate, int Bits)? format = null;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(offset + 4, 4)), (uint)(file.Length - offset - 8));
            var body = file.Slice(offset + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                format = (BinaryPrimitives.ReadUInt16LittleEndian(body), BinaryPrimitives.ReadUInt16LittleEndian(body[2..]),
                    BinaryPrimitives.ReadInt32LittleEndian(body[4..]), BinaryPrimitives.ReadUInt16LittleEndian(body[14..]));
            }
            else if (id.SequenceEqual("data"u8))
            {
                return format is { } f ? new FakeWavFormat(f.Tag, f.Channels, f.Rate, f.Bits, size) : null;
            }

            offset += 8 + size + (size & 1);
        }

        return null;
    }
}
