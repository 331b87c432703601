using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Telephony.Audio;

/// <summary>What <see cref="VoiceActivityDetector"/> reports; frame indexes count the frames it was given, from 0.</summary>
/// <param name="FrameIndex">The frame whose processing produced the event.</param>
public abstract record VoiceActivityEvent(long FrameIndex)
{
    /// <param name="OnsetFrameIndex">The first frame of the speech run that started the utterance (keep audio from here).</param>
    public sealed record SpeechStarted(long FrameIndex, long OnsetFrameIndex) : VoiceActivityEvent(FrameIndex);

    /// <summary>The caller has been silent for <see cref="VoiceActivityOptions.PauseSilence"/> within an utterance (once per
    /// silence); the utterance goes on unless it is ended (<see cref="VoiceActivityDetector.EndUtterance"/>).</summary>
    public sealed record SpeechPaused(long FrameIndex, long LastSpeechFrameIndex) : VoiceActivityEvent(FrameIndex);

    /// <param name="LastSpeechFrameIndex">The last frame that counted as speech; the trailing silence follows it.</param>
    public sealed record SpeechEnded(long FrameIndex, long LastSpeechFrameIndex) : VoiceActivityEvent(FrameIndex);
}
