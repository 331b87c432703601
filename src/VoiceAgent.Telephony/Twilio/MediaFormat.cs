namespace VoiceAgent.Telephony.Twilio;

public sealed record MediaFormat(string Encoding, int SampleRate, int Channels)
{
    public const string MuLawEncoding = "audio/x-mulaw";

    /// <summary>What Twilio sends and expects back: G.711 μ-law, 8 kHz, mono.</summary>
    public bool IsMuLaw8kHzMono => Encoding == MuLawEncoding && SampleRate == 8000 && Channels == 1;
}
