namespace VoiceAgent.Platform.Audio;

/// <summary>μ-law at 8 kHz in the 20 ms frames telephony streams use.</summary>
public static class AudioFrames
{
    public const int SampleRate = 8000;
    public const int FrameBytes = 160;

    public static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    /// <summary>Splits into 160-byte frames; a short last frame is padded with μ-law silence (0xFF).</summary>
    public static IReadOnlyList<byte[]> Split(ReadOnlySpan<byte> mulaw)
    {
        var frames = new List<byte[]>((mulaw.Length + FrameBytes - 1) / FrameBytes);
        for (var offset = 0; offset < mulaw.Length; offset += FrameBytes)
        {
            var frame = new byte[FrameBytes];
            var part = mulaw.Slice(offset, Math.Min(FrameBytes, mulaw.Length - offset));
            part.CopyTo(frame);
            frame.AsSpan(part.Length).Fill(MuLaw.Silence);
            frames.Add(frame);
        }

        return frames;
    }

    public static TimeSpan Duration(int mulawBytes) => TimeSpan.FromMilliseconds(mulawBytes / (SampleRate / 1000.0));
}
