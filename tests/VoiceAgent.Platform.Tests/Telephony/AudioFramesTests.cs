using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class AudioFramesTests
{
    [Fact]
    public void Audio_is_split_into_160_byte_frames_and_the_last_is_padded_with_silence()
    {
        var audio = Enumerable.Range(0, 400).Select(i => (byte)(i % 0x7F)).ToArray();

        var frames = AudioFrames.Split(audio);

        Assert.Equal(3, frames.Count);
        Assert.All(frames, f => Assert.Equal(160, f.Length));
        Assert.Equal(audio, frames.SelectMany(f => f).Take(400));
        Assert.All(frames[2].Skip(80), b => Assert.Equal(MuLaw.Silence, b));
    }

    [Fact]
    public void Exact_multiples_get_no_padding_frame_and_empty_input_no_frames()
    {
        Assert.Equal(2, AudioFrames.Split(new byte[320]).Count);
        Assert.Empty(AudioFrames.Split([]));
    }

    [Fact]
    public void Frame_is_20_milliseconds_of_8_kilohertz_audio()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(20), AudioFrames.FrameDuration);
        Assert.Equal(AudioFrames.FrameDuration, AudioFrames.Duration(AudioFrames.FrameBytes));
        Assert.Equal(TimeSpan.FromSeconds(1), AudioFrames.Duration(8000));
    }
}
