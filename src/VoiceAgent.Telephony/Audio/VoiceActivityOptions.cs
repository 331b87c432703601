using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Telephony.Audio;

public sealed record VoiceActivityOptions
{
    /// <summary>A frame can only count as speech at or above this level (a full-scale sine is −3 dBFS).</summary>
    public double SpeechThresholdDbfs { get; init; } = -40;

    /// <summary>…and at least this far above the adapted noise floor, so steady line or room noise is not speech.</summary>
    public double NoiseMarginDb { get; init; } = 12;

    /// <summary>Speech must last this long without a gap before the utterance starts (clicks and pops do not).</summary>
    public TimeSpan MinSpeech { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The utterance ends after this much continuous non-speech at the latest (the long end-of-turn window, for
    /// a caller who stops mid-sentence: "am Dienstag um …").</summary>
    public TimeSpan TrailingSilence { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>After this much non-speech the detector reports a pause (<see cref="VoiceActivityEvent.SpeechPaused"/>):
    /// the short end-of-turn window — the call may end the utterance there when what was said is complete.</summary>
    public TimeSpan PauseSilence { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The first audio only measures the noise floor; no utterance can start before it has passed.</summary>
    public TimeSpan Calibration { get; init; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        if (double.IsNaN(SpeechThresholdDbfs) || SpeechThresholdDbfs is > 0 or < -96)
        {
            throw new ArgumentOutOfRangeException(nameof(SpeechThresholdDbfs), SpeechThresholdDbfs, "Between -96 and 0 dBFS.");
        }

        if (double.IsNaN(NoiseMarginDb) || NoiseMarginDb is < 0 or > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseMarginDb), NoiseMarginDb, "Between 0 and 60 dB.");
        }

        if (MinSpeech <= TimeSpan.Zero || TrailingSilence <= TimeSpan.Zero || Calibration < TimeSpan.Zero || PauseSilence <= TimeSpan.Zero
            || PauseSilence > TrailingSilence)
        {
            throw new ArgumentOutOfRangeException(nameof(MinSpeech), "Durations must be positive (calibration may be zero).");
        }
    }
}
