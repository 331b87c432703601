using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>The offline speech engine: espeak-ng (Debian package "espeak-ng"), German by default. The text goes to the
/// process on stdin, never on the command line, and no shell is involved, so nothing in it is ever interpreted.
/// The process is killed after <see cref="DefaultTimeout"/> (or the given timeout).</summary>
public sealed partial class EspeakTextToSpeech : ITextToSpeech
{
    public const string DefaultVoice = "de";

    public const string DefaultExecutable = "espeak-ng";

    /// <summary>German voices offered in the designer: the standard voice and espeak-ng's male/female variants.</summary>
    public static readonly IReadOnlyList<string> GermanVoices = [DefaultVoice, "de+m3", "de+f3", "de+f4"];

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly TimeSpan timeout;
    private readonly string executable;

    /// <param name="executable">A file name looked up on PATH, or a path.</param>
    public EspeakTextToSpeech(ILogger<EspeakTextToSpeech> logger, TimeProvider time, TimeSpan? timeout = null, string executable = DefaultExecutable)
    {
        this.logger = logger;
        this.time = time;
        this.timeout = timeout ?? DefaultTimeout;
        this.executable = executable;
    }

    /// <param name="voice">An espeak voice such as "de", "de+f3" or "en-gb"; anything else (an OpenAI voice name, null)
    /// means "de". A well-formed voice that is not installed falls back to "de" as well.</param>
    /// <exception cref="PortException">espeak-ng is missing, failed, produced no WAV or exceeded the timeout.</exception>
    public async ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken) =>
        MuLaw.Encode(await SynthesizeNarrowbandAsync(text, voice, cancellationToken));

    /// <summary>8 kHz mono 16-bit PCM WAV, the format sipgate plays; for empty text a WAV without samples.</summary>
    /// <exception cref="PortException">As for <see cref="SynthesizeMuLawAsync"/>.</exception>
    public async ValueTask<byte[]> SynthesizeWavAsync(string text, string? voice = null, CancellationToken cancellationToken = default) =>
        WavFile.WriteNarrowband(await SynthesizeNarrowbandAsync(text, voice, cancellationToken));

    /// <summary>Language code with optional dialect parts and an optional "+variant": "de", "de+f3", "en-gb-x-rp".
    /// It never starts with "-", so it cannot be read as an option either.</summary>
    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}(\\+[a-z0-9_]{1,16})?$", RegexOptions.CultureInvariant)]
    private static partial Regex VoicePattern();

    private async Task<short[]> SynthesizeNarrowbandAsync(string text, string? voice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var input = Printable(text);
        var chosen = voice is not null && VoicePattern().IsMatch(voice) ? voice : DefaultVoice;
        var run = await RunAsync(input, chosen, ct);
        if (run.ExitCode != 0 && chosen != DefaultVoice)
        {
            logger.LogWarning("espeak-ng rejected voice {Voice} ({Error}); speaking with {DefaultVoice}", chosen, run.Error, DefaultVoice);
            run = await RunAsync(input, DefaultVoice, ct);
        }

        if (run.ExitCode != 0)
        {
            throw new PortException($"espeak-ng failed with exit code {run.ExitCode}: {run.Error}");
        }

        if (run.Wav.Length == 0)
        {
            return []; // text without anything to say, e.g. only punctuation
        }

        WavAudio audio;
        try
        {
            audio = WavFile.Read(run.Wav);
        }
        catch (InvalidDataException ex)
        {
            throw new PortException($"espeak-ng produced no usable WAV: {ex.Message}", ex);
        }

        if (audio.SampleRate < Resampler.TelephoneRate)
        {
            throw new PortException($"espeak-ng produced {audio.SampleRate} Hz audio; at least {Resampler.TelephoneRate} Hz is needed.");
        }

        return Resampler.Resample(audio.Samples, audio.SampleRate);
    }

    private sealed record Run(int ExitCode, byte[] Wav, string Error);

    private async Task<Run> RunAsync(string text, string voice, CancellationToken ct)
    {
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
        // "-b 1": the input is UTF-8 whatever the locale says, so umlauts survive.
        foreach (var argument in (string[])["-v", voice, "-b", "1", "--stdout"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new PortException($"espeak-ng could not be started ({executable}: {ex.Message}); install the Debian package \"espeak-ng\".", ex);
        }

        using var budget = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        try
        {
            using var wav = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(wav, linked.Token);
            var errors = process.StandardError.ReadToEndAsync(linked.Token);
            try
            {
                await process.StandardInput.WriteAsync(text.AsMemory(), linked.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // espeak-ng exited before reading everything (an unknown voice): its exit code and stderr tell why.
            }

            await reading;
            var error = (await errors).Trim();
            await process.WaitForExitAsync(linked.Token);
            return new Run(process.ExitCode, wav.ToArray(), error);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PortException($"espeak-ng did not finish within {timeout.TotalMilliseconds} ms and was stopped.", ex);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        // Reap it, so no zombie outlives the call; a killed process exits at once.
        using var reap = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await process.WaitForExitAsync(reap.Token);
        }
        catch (OperationCanceledException)
        {
            // Not gone after SIGKILL within 2 s (stuck in the kernel): nothing more can be done from here.
        }
    }

    /// <summary>Control characters other than line breaks and tabs become spaces: a NUL would end espeak-ng's C string
    /// early, and none of them is meant to be spoken.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) && c is not ('\n' or '\t') ? ' ' : c);
        }

        return builder.ToString();
    }
}
