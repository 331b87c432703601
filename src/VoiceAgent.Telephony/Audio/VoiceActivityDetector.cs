using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Telephony.Audio;

/// <summary>
/// Energy-based endpointing for one caller's μ-law audio (normally the 20 ms frames of a media stream). A frame is
/// speech when its level reaches both <see cref="VoiceActivityOptions.SpeechThresholdDbfs"/> and the noise floor plus
/// <see cref="VoiceActivityOptions.NoiseMarginDb"/>; an utterance starts after
/// <see cref="VoiceActivityOptions.MinSpeech"/> of unbroken speech and ends after
/// <see cref="VoiceActivityOptions.TrailingSilence"/> without any. The noise floor is measured during calibration, then
/// follows quiet stretches quickly downwards and slowly upwards, so a noisier line raises the bar within seconds while
/// a long vowel does not. Not thread-safe: one instance per stream.
/// </summary>
public sealed class VoiceActivityDetector
{
    private const double SilentFrameDbfs = -100;
    private const double FloorFallRate = 0.3;
    private const double FloorRiseRateInQuiet = 0.05;
    private const double FloorRiseRateInSpeech = 0.01;

    private readonly VoiceActivityOptions options;
    private readonly short[] samples = new short[AudioFrames.FrameBytes];
    private double calibratedMs;
    private double speechRunMs;
    private double silenceRunMs;
    private long speechRunStart;
    private long lastSpeechFrame;
    private long frameIndex;

    public VoiceActivityDetector(VoiceActivityOptions? options = null)
    {
        this.options = options ?? new VoiceActivityOptions();
        this.options.Validate();
    }

    public bool InUtterance { get; private set; }

    /// <summary>Within an utterance and silent for at least <see cref="VoiceActivityOptions.PauseSilence"/>.</summary>
    public bool InPause => InUtterance && silenceRunMs >= options.PauseSilence.TotalMilliseconds;

    /// <summary>NaN until the first frame.</summary>
    public double NoiseFloorDbfs { get; private set; } = double.NaN;

    /// <summary>Frames given so far; the next frame gets this index.</summary>
    public long FramesProcessed => frameIndex;

    /// <summary>RMS level of μ-law audio in dBFS (full scale = 32768); −100 for digital silence.</summary>
    public static double LevelDbfs(ReadOnlySpan<byte> mulaw)
    {
        if (mulaw.IsEmpty)
        {
            return SilentFrameDbfs;
        }

        var energy = 0.0;
        foreach (var encoded in mulaw)
        {
            double sample = MuLaw.Decode(encoded);
            energy += sample * sample;
        }

        var meanSquare = energy / mulaw.Length / (32768.0 * 32768.0);
        return meanSquare <= 0 ? SilentFrameDbfs : Math.Max(SilentFrameDbfs, 10 * Math.Log10(meanSquare));
    }

    /// <summary>Ends the current utterance now (the call decided at a pause that the caller has finished).</summary>
    public void EndUtterance()
    {
        InUtterance = false;
        silenceRunMs = 0;
        speechRunMs = 0;
    }

    /// <summary>Feeds one frame; returns an event when the utterance starts or ends with it. Empty frames are ignored.</summary>
    public VoiceActivityEvent? Process(ReadOnlySpan<byte> mulawFrame)
    {
        if (mulawFrame.IsEmpty)
        {
            return null;
        }

        var index = frameIndex++;
        var durationMs = mulawFrame.Length * 1000.0 / AudioFrames.SampleRate;
        var level = LevelDbfs(mulawFrame);

        if (calibratedMs < options.Calibration.TotalMilliseconds)
        {
            NoiseFloorDbfs = double.IsNaN(NoiseFloorDbfs) ? level : Math.Min(NoiseFloorDbfs, level);
            calibratedMs += durationMs;
            return null;
        }

        if (double.IsNaN(NoiseFloorDbfs))
        {
            NoiseFloorDbfs = Math.Min(level, options.SpeechThresholdDbfs - options.NoiseMarginDb);
        }

        var threshold = Math.Max(options.SpeechThresholdDbfs, NoiseFloorDbfs + options.NoiseMarginDb);
        var isSpeech = level >= threshold;
        AdaptFloor(level, isSpeech);

        if (isSpeech)
        {
            if (speechRunMs == 0)
            {
                speechRunStart = index;
            }

            speechRunMs += durationMs;
            silenceRunMs = 0;
            lastSpeechFrame = index;
            if (!InUtterance && speechRunMs >= options.MinSpeech.TotalMilliseconds)
            {
                InUtterance = true;
                return new VoiceActivityEvent.SpeechStarted(index, speechRunStart);
            }

            return null;
        }

        speechRunMs = 0;
        if (!InUtterance)
        {
            return null;
        }

        var before = silenceRunMs;
        silenceRunMs += durationMs;
        if (silenceRunMs >= options.TrailingSilence.TotalMilliseconds)
        {
            InUtterance = false;
            silenceRunMs = 0;
            return new VoiceActivityEvent.SpeechEnded(index, lastSpeechFrame);
        }

        var pause = options.PauseSilence.TotalMilliseconds;
        return before < pause && silenceRunMs >= pause ? new VoiceActivityEvent.SpeechPaused(index, lastSpeechFrame) : null;
    }

    private void AdaptFloor(double level, bool isSpeech)
    {
        var rate = level < NoiseFloorDbfs ? FloorFallRate
            : isSpeech || InUtterance ? FloorRiseRateInSpeech
            : FloorRiseRateInQuiet;
        NoiseFloorDbfs += rate * (level - NoiseFloorDbfs);
    }
}
