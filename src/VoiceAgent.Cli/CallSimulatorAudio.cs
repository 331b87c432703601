using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Cli;

/// <summary>Cuts an <c>--audio</c> recording into the caller's utterances with the same voice activity detector the
/// server uses, so each piece is one turn the agent answers.</summary>
internal static class CallSimulatorAudio
{
    /// <summary>Quiet lead-in for the detector's calibration, so a recording may start with speech straight away.</summary>
    private const int CalibrationFrames = 15;

    /// <summary>Audio kept before the detected onset (the detector needs 100 ms of speech to notice it).</summary>
    private const int PreRollFrames = 10;

    /// <returns>One μ-law piece per utterance; the whole recording when no speech is detected; nothing for silence only.</returns>
    public static IReadOnlyList<byte[]> SplitUtterances(byte[] mulaw)
    {
        var frames = AudioFrames.Split(mulaw);
        var silence = new byte[AudioFrames.FrameBytes];
        silence.AsSpan().Fill(MuLaw.Silence);
        var vad = new VoiceActivityDetector();
        for (var i = 0; i < CalibrationFrames; i++)
        {
            vad.Process(silence);
        }

        var pieces = new List<byte[]>();
        var start = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            switch (vad.Process(frames[i]))
            {
                case VoiceActivityEvent.SpeechStarted started:
                    start = Math.Max(0, (int)started.OnsetFrameIndex - CalibrationFrames - PreRollFrames);
                    break;
                case VoiceActivityEvent.SpeechEnded ended when start >= 0:
                    pieces.Add(Join(frames, start, (int)ended.LastSpeechFrameIndex - CalibrationFrames + 1));
                    start = -1;
                    break;
            }
        }

        if (start >= 0)
        {
            pieces.Add(Join(frames, start, frames.Count));
        }

        if (pieces.Count == 0 && mulaw.Any(b => b != MuLaw.Silence))
        {
            pieces.Add(mulaw);
        }

        return pieces;
    }

    private static byte[] Join(IReadOnlyList<byte[]> frames, int from, int to) =>
        frames.Skip(from).Take(Math.Max(0, to - from)).SelectMany(f => f).ToArray();
}
