namespace VoiceAgent.Platform.Audio;

/// <summary>16-bit mono PCM samples and their rate.</summary>
public sealed record WavAudio(short[] Samples, int SampleRate)
{
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);
}
