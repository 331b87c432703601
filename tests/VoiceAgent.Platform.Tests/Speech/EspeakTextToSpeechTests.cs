using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Speech;

/// <summary>Runs the real espeak-ng (deploy/local/test.sh installs it).</summary>
public sealed class EspeakTextToSpeechTests : IDisposable
{
    private readonly DirectoryInfo scratch = Directory.CreateTempSubdirectory("voiceagent-espeak-");

    public void Dispose() => scratch.Delete(recursive: true);

    [Fact]
    public async Task German_sentence_becomes_mulaw_of_plausible_length_that_is_not_silent()
    {
        var mulaw = await Espeak().SynthesizeMuLawAsync("Guten Tag, Sie sind mit der Praxis Dr. Müller in Köln verbunden.", "de", default);

        var duration = AudioFrames.Duration(mulaw.Length);
        Assert.InRange(duration, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.True(Rms(MuLaw.Decode(mulaw)) > 300, $"RMS {Rms(MuLaw.Decode(mulaw))}");
    }

    [Fact]
    public async Task Shell_metacharacters_quotes_and_newlines_are_spoken_and_nothing_is_executed()
    {
        var marker = Path.Combine(scratch.FullName, "executed");
        var text = $"Achtung: $(touch {marker}) `touch {marker}`; touch {marker} && echo \"Zitat\" 'einfach' | cat > {marker}\n"
                   + $"-v en --stdout -w {marker}\n\nZweite Zeile mit \\ und % und * und ~.";

        var mulaw = await Espeak().SynthesizeMuLawAsync(text, "de", default);

        Assert.False(File.Exists(marker));
        // Every line is spoken, not just the first: well over the length of one short sentence.
        Assert.True(AudioFrames.Duration(mulaw.Length) > TimeSpan.FromSeconds(5), $"only {AudioFrames.Duration(mulaw.Length)}");
        Assert.True(Rms(MuLaw.Decode(mulaw)) > 300);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public async Task Empty_text_gives_empty_audio(string text)
    {
        Assert.Empty(await Espeak().SynthesizeMuLawAsync(text, null, default));
    }

    [Fact]
    public async Task Voice_variant_is_used_and_an_unknown_or_malformed_voice_falls_back_to_german()
    {
        const string text = "Einen Moment bitte.";
        var german = await Espeak().SynthesizeMuLawAsync(text, "de", default);

        Assert.NotEqual(german, await Espeak().SynthesizeMuLawAsync(text, "de+f3", default));
        Assert.Equal(german, await Espeak().SynthesizeMuLawAsync(text, "xx", default)); // well-formed, not installed
        Assert.Equal(german, await Espeak().SynthesizeMuLawAsync(text, "--stdout; rm -rf /", default));
        Assert.Equal(german, await Espeak().SynthesizeMuLawAsync(text, "alloy", default));
        Assert.Equal(german, await Espeak().SynthesizeMuLawAsync(text, null, default));
    }

    [Fact]
    public async Task Wav_for_sipgate_is_8khz_mono_16bit_pcm()
    {
        var wav = await Espeak().SynthesizeWavAsync("Vielen Dank für Ihren Anruf.");

        Assert.Equal("RIFF"u8.ToArray(), wav[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20))); // PCM
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22))); // mono
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        var audio = WavFile.Read(wav);
        Assert.Equal(8000, audio.SampleRate);
        Assert.InRange(audio.Duration, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.True(Rms(audio.Samples) > 300);
    }

    [Fact]
    public async Task Missing_binary_is_a_port_exception_that_says_what_to_install()
    {
        var espeak = Espeak(executable: Path.Combine(scratch.FullName, "espeak-ng"));

        var error = await Assert.ThrowsAsync<PortException>(async () => await espeak.SynthesizeMuLawAsync("Hallo", null, default));

        Assert.Contains("espeak-ng", error.Message);
        Assert.Contains("install", error.Message);
    }

    [Fact]
    [SupportedOSPlatform("linux")] // a shell script stands in for espeak-ng; /proc tells whether it is gone
    public async Task Hanging_process_is_killed_when_the_timeout_is_spent_and_not_before()
    {
        // The script reads its input to the end (written after the timeout started), then reports its pid through a FIFO:
        // reading the FIFO returns once the timeout runs.
        var pidPipe = Path.Combine(scratch.FullName, "pid");
        using (var mkfifo = Process.Start("mkfifo", [pidPipe]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var script = Path.Combine(scratch.FullName, "hanging-espeak");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\ncat > /dev/null\necho $$ > '{pidPipe}'\nexec sleep 600\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var timeout = TimeSpan.FromMilliseconds(500);
        var time = new FakeTimeProvider();

        var synthesizing = Espeak(timeout, script, time).SynthesizeMuLawAsync("Hallo", null, default).AsTask();
        var pid = int.Parse((await File.ReadAllTextAsync(pidPipe).WaitAsync(Guard)).Trim());
        time.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(synthesizing.IsCompleted);
        Assert.True(Directory.Exists($"/proc/{pid}"), $"process {pid} was stopped before the timeout");
        time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<PortException>(() => synthesizing.WaitAsync(Guard));

        Assert.Contains("500 ms", error.Message);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still there");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Process_that_fails_without_reading_its_input_is_a_port_exception_with_its_error()
    {
        var script = Path.Combine(scratch.FullName, "broken-espeak");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho 'Error: no audio device' >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var text = string.Concat(Enumerable.Repeat("Ein langer Text, der nicht in die Pipe passt. ", 4000)); // ≈ 180 KB

        var error = await Assert.ThrowsAsync<PortException>(async () => await Espeak(executable: script).SynthesizeMuLawAsync(text, null, default));

        Assert.Contains("exit code 3", error.Message);
        Assert.Contains("no audio device", error.Message);
    }

    [Fact]
    public async Task Caller_hanging_up_cancels_the_synthesis()
    {
        using var hangUp = new CancellationTokenSource();
        await hangUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Espeak().SynthesizeMuLawAsync("Hallo", null, hangUp.Token));
    }

    /// <summary>Only keeps a broken test from hanging the run; nothing is measured.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private static EspeakTextToSpeech Espeak(TimeSpan? timeout = null, string executable = EspeakTextToSpeech.DefaultExecutable, TimeProvider? time = null) =>
        new(NullLogger<EspeakTextToSpeech>.Instance, time ?? TimeProvider.System, timeout, executable);

    internal static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }
}
