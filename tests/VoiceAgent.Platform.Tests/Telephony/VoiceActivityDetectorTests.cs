using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>Synthetic calls at 8 kHz in 20 ms μ-law frames: tones stand in for speech, seeded noise for the line.</summary>
public sealed class VoiceActivityDetectorTests
{
    private const int Rate = 8000;
    private const int MinSpeechFrames = 5;       // 100 ms
    private const int TrailingSilenceFrames = 50; // 1000 ms
    private const int PauseFrames = 15;           // 300 ms

    [Fact]
    public void Tone_after_quiet_line_starts_after_the_minimum_and_ends_after_the_trailing_silence()
    {
        var frames = Signals.MuLawFrames(
            Signals.Noise(-60, Seconds(0.5), seed: 1),
            Signals.Sum(Tone(-20, 1.0), Signals.Noise(-60, Seconds(1.0), seed: 2)),
            Signals.Noise(-60, Seconds(1.5), seed: 3));
        const int onset = 25;
        const int lastSpeech = 74;

        var events = Run(new VoiceActivityDetector(), frames);

        Assert.Equal(2, events.Count);
        var started = Assert.IsType<VoiceActivityEvent.SpeechStarted>(events[0]);
        Assert.Equal(onset, started.OnsetFrameIndex);
        Assert.InRange(started.FrameIndex, onset + MinSpeechFrames - 1, onset + MinSpeechFrames - 1 + 2);
        var ended = Assert.IsType<VoiceActivityEvent.SpeechEnded>(events[1]);
        Assert.Equal(lastSpeech, ended.LastSpeechFrameIndex);
        Assert.InRange(ended.FrameIndex, lastSpeech + TrailingSilenceFrames, lastSpeech + TrailingSilenceFrames + 2);
    }

    [Theory]
    [InlineData(-70)]
    [InlineData(-55)]
    [InlineData(-46)]
    public void Low_line_noise_never_starts_an_utterance(double noiseDbfs)
    {
        var frames = Signals.MuLawFrames(Signals.Noise(noiseDbfs, Seconds(10), seed: 11));

        var detector = new VoiceActivityDetector();
        Assert.Empty(Run(detector, frames));
        Assert.False(detector.InUtterance);
    }

    [Fact]
    public void Digital_silence_never_starts_an_utterance()
    {
        var frames = Enumerable.Range(0, 200).Select(_ => Enumerable.Repeat(MuLaw.Silence, 160).ToArray()).ToList();

        Assert.Empty(Run(new VoiceActivityDetector(), frames));
        Assert.Equal(-100, VoiceActivityDetector.LevelDbfs(frames[0]));
    }

    [Fact]
    public void Clicks_shorter_than_the_minimum_speech_are_ignored()
    {
        var click = Tone(-10, 0.06); // 3 frames
        var quiet = Signals.Noise(-60, Seconds(0.5), seed: 5);
        var frames = Signals.MuLawFrames(quiet, click, quiet, click, quiet, click, quiet);

        Assert.Empty(Run(new VoiceActivityDetector(), frames));
    }

    [Fact]
    public void Pause_shorter_than_the_trailing_silence_keeps_one_utterance()
    {
        var quiet = Signals.Noise(-60, Seconds(0.5), seed: 6);
        var frames = Signals.MuLawFrames(quiet, Tone(-20, 0.5), Signals.Noise(-60, Seconds(0.3), seed: 7), Tone(-20, 0.5), Signals.Noise(-60, Seconds(1.5), seed: 8));

        var events = Run(new VoiceActivityDetector(), frames);

        Assert.Collection(
            events,
            e => Assert.Equal(25, Assert.IsType<VoiceActivityEvent.SpeechStarted>(e).OnsetFrameIndex),
            e => Assert.Equal(25 + 25 + 15 + 25 - 1, Assert.IsType<VoiceActivityEvent.SpeechEnded>(e).LastSpeechFrameIndex));
    }

    [Fact]
    public void Steady_noise_above_the_threshold_is_learned_as_floor_and_speech_on_top_is_still_found()
    {
        // -32 dBFS is above the -40 dBFS speech threshold: without the noise floor every frame would be speech.
        var frames = Signals.MuLawFrames(
            Signals.Noise(-32, Seconds(3), seed: 21),
            Signals.Sum(Tone(-12, 0.6), Signals.Noise(-32, Seconds(0.6), seed: 22)),
            Signals.Noise(-32, Seconds(3), seed: 23));
        const int onset = 150;

        var detector = new VoiceActivityDetector();
        var events = Run(detector, frames);

        Assert.Equal(2, events.Count);
        var started = Assert.IsType<VoiceActivityEvent.SpeechStarted>(events[0]);
        Assert.InRange(started.FrameIndex, onset + MinSpeechFrames - 1, onset + MinSpeechFrames - 1 + 2);
        Assert.IsType<VoiceActivityEvent.SpeechEnded>(events[1]);
        Assert.InRange(detector.NoiseFloorDbfs, -40, -30);
    }

    [Fact]
    public void Sudden_louder_line_is_adapted_to_within_seconds_and_speech_is_found_again()
    {
        var frames = Signals.MuLawFrames(
            Signals.Noise(-60, Seconds(2), seed: 31),
            Signals.Noise(-30, Seconds(8), seed: 32),
            Signals.Sum(Tone(-10, 0.6), Signals.Noise(-30, Seconds(0.6), seed: 33)),
            Signals.Noise(-30, Seconds(2), seed: 34));
        const int step = 100;
        const int toneOnset = 500;

        var events = Run(new VoiceActivityDetector(), frames);

        // An energy detector cannot tell the first frames of a louder line from speech; it must recover on its own.
        var beforeTone = events.Where(e => e.FrameIndex < toneOnset).ToList();
        Assert.InRange(beforeTone.Count, 0, 2);
        Assert.All(beforeTone, e => Assert.InRange(e.FrameIndex, step, step + 200));
        var afterTone = events.Where(e => e.FrameIndex >= toneOnset).ToList();
        Assert.Equal(2, afterTone.Count);
        Assert.Equal(toneOnset, Assert.IsType<VoiceActivityEvent.SpeechStarted>(afterTone[0]).OnsetFrameIndex);
        Assert.IsType<VoiceActivityEvent.SpeechEnded>(afterTone[1]);
    }

    [Fact]
    public void Threshold_minimum_and_trailing_silence_are_configurable()
    {
        var frames = Signals.MuLawFrames(Signals.Noise(-75, Seconds(0.5), seed: 41), Tone(-46, 0.5), Signals.Noise(-75, Seconds(1), seed: 42));

        Assert.Empty(Run(new VoiceActivityDetector(), frames));

        var sensitive = new VoiceActivityOptions
        {
            SpeechThresholdDbfs = -50,
            MinSpeech = TimeSpan.FromMilliseconds(200),
            TrailingSilence = TimeSpan.FromMilliseconds(300),
        };
        var events = Run(new VoiceActivityDetector(sensitive), frames);
        Assert.Equal(2, events.Count);
        Assert.InRange(events[0].FrameIndex, 25 + 10 - 1, 25 + 10 + 1);
        Assert.InRange(events[1].FrameIndex, 49 + 15, 49 + 15 + 2);
    }

    [Fact]
    public void Frames_of_other_lengths_count_by_duration()
    {
        var audio = MuLaw.Encode([.. Signals.Noise(-60, Seconds(0.5), seed: 51), .. Tone(-20, 0.5), .. Signals.Noise(-60, Seconds(1), seed: 52)]);
        var detector = new VoiceActivityDetector();
        var events = new List<VoiceActivityEvent>();
        for (var offset = 0; offset < audio.Length; offset += 80) // 10 ms frames
        {
            if (detector.Process(audio.AsSpan(offset, Math.Min(80, audio.Length - offset))) is { } e and not VoiceActivityEvent.SpeechPaused)
            {
                events.Add(e);
            }
        }

        Assert.Equal(2, events.Count);
        Assert.Equal(50, ((VoiceActivityEvent.SpeechStarted)events[0]).OnsetFrameIndex);
        Assert.InRange(events[0].FrameIndex, 59, 61);
        Assert.InRange(events[1].FrameIndex, 99 + 100, 99 + 102);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityDetector(new VoiceActivityOptions { SpeechThresholdDbfs = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityDetector(new VoiceActivityOptions { NoiseMarginDb = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityDetector(new VoiceActivityOptions { TrailingSilence = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceActivityDetector(new VoiceActivityOptions
        {
            PauseSilence = TimeSpan.FromMilliseconds(800), TrailingSilence = TimeSpan.FromMilliseconds(500),
        }));
    }

    [Fact]
    public void A_pause_is_reported_once_after_the_short_window_and_the_utterance_can_be_ended_there()
    {
        var frames = Signals.MuLawFrames(
            Signals.Noise(-60, Seconds(0.5), seed: 61), Tone(-20, 0.5), Signals.Noise(-60, Seconds(0.2), seed: 62),
            Tone(-20, 0.5), Signals.Noise(-60, Seconds(1.5), seed: 63));
        var detector = new VoiceActivityDetector();
        var events = new List<VoiceActivityEvent>();
        foreach (var frame in frames)
        {
            if (detector.Process(frame) is { } e)
            {
                events.Add(e);
                if (e is VoiceActivityEvent.SpeechPaused)
                {
                    detector.EndUtterance();
                }
            }
        }

        // The 200 ms gap is no pause; 300 ms after the second tone the pause comes, and ending there ends the utterance.
        const int lastSpeech = 25 + 25 + 10 + 25 - 1;
        Assert.Collection(
            events,
            e => Assert.IsType<VoiceActivityEvent.SpeechStarted>(e),
            e =>
            {
                var paused = Assert.IsType<VoiceActivityEvent.SpeechPaused>(e);
                Assert.Equal(lastSpeech, paused.LastSpeechFrameIndex);
                Assert.InRange(paused.FrameIndex, lastSpeech + PauseFrames, lastSpeech + PauseFrames + 2);
            });
        Assert.False(detector.InUtterance);
    }

    private static short[] Tone(double dbfs, double seconds) => Signals.Tone(300, Rate, seconds, Signals.SineAmplitude(dbfs));

    private static int Seconds(double seconds) => (int)Math.Round(seconds * Rate);

    private static List<VoiceActivityEvent> Run(VoiceActivityDetector detector, IEnumerable<byte[]> frames)
    {
        var events = new List<VoiceActivityEvent>();
        foreach (var frame in frames)
        {
            // Pauses are the call's business (see the pause test); here only start and end count.
            if (detector.Process(frame) is { } e and not VoiceActivityEvent.SpeechPaused)
            {
                events.Add(e);
            }
        }

        return events;
    }
}
