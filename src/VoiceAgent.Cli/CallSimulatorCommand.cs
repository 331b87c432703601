using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Cli;

/// <summary><c>call simulate</c>: reads the options, prepares what the caller says and runs <see cref="CallSimulator"/>.</summary>
internal static partial class CallSimulatorCommand
{
    public const string Usage =
        "Aufruf: voiceagent call simulate --base-url URL --to NUMMER [--region DE|AT|CH] [--from +49…] [--auth-token T] " +
        "[--call-sid CA…] [--say \"…\"]… [--audio DATEI.wav]";

    public static async Task<int> RunAsync(Dictionary<string, string> options, IReadOnlyList<string> says, TextWriter stdout, TextWriter stderr,
        CancellationToken ct = default)
    {
        var (settings, error) = Read(options, says);
        if (settings is null)
        {
            await stderr.WriteLineAsync(error);
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        var espeak = new EspeakTextToSpeech(NullLogger<EspeakTextToSpeech>.Instance, TimeProvider.System);
        return await new CallSimulator(settings, (text, token) => SpeakAsync(espeak, text, token)).RunAsync(stdout, stderr, ct);
    }

    private static async Task<byte[]> SpeakAsync(EspeakTextToSpeech espeak, string text, CancellationToken ct)
    {
        try
        {
            return await espeak.SynthesizeMuLawAsync(text, EspeakTextToSpeech.DefaultVoice, ct);
        }
        catch (PortException ex)
        {
            throw new CallSimulatorException($"--say \"{text}\" konnte nicht gesprochen werden: {ex.Message}", ex);
        }
    }

    private static (CallSimulatorSettings? Settings, string Error) Read(Dictionary<string, string> options, IReadOnlyList<string> says)
    {
        if (!options.TryGetValue("base-url", out var baseText) || !Uri.TryCreate(baseText, UriKind.Absolute, out var baseUrl)
            || baseUrl.Scheme is not ("http" or "https"))
        {
            return (null, "--base-url fehlt oder ist keine http(s)-Adresse (z. B. http://127.0.0.1:5000).");
        }

        NumberRegion? region = null;
        if (options.TryGetValue("region", out var regionText))
        {
            if (!PhoneNumbers.TryParseRegion(regionText, out var parsed))
            {
                return (null, $"Unbekannte Region '{regionText}' (DE, AT oder CH).");
            }

            region = parsed;
        }

        if (!options.TryGetValue("to", out var toText))
        {
            return (null, "--to fehlt (die angerufene Nummer, E.164 oder national mit --region).");
        }

        var to = PhoneNumbers.Normalize(toText, region);
        if (!to.IsValid)
        {
            return (null, $"--to '{toText}': {to.Error}");
        }

        var token = options.GetValueOrDefault("auth-token") ?? Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN");
        if (string.IsNullOrEmpty(token) || token == "true")
        {
            return (null, "Auth-Token fehlt: --auth-token oder TWILIO_AUTH_TOKEN (derselbe Wert wie die Einstellung twilio.auth_token des Servers).");
        }

        var callSid = options.GetValueOrDefault("call-sid") ?? CallSimulatorSettings.NewCallSid();
        if (!CallSidPattern().IsMatch(callSid))
        {
            return (null, $"--call-sid '{callSid}' hat nicht die Form CA + 32 Hex-Ziffern.");
        }

        var utterances = new List<CallerUtterance>();
        if (options.TryGetValue("audio", out var audioPath))
        {
            var (audio, audioError) = ReadAudio(audioPath);
            if (audio is null)
            {
                return (null, audioError);
            }

            utterances.AddRange(audio);
        }

        utterances.AddRange(says.Select(CallerUtterance.Say));
        var from = options.GetValueOrDefault("from") ?? CallSimulatorSettings.DefaultFrom;
        return (new CallSimulatorSettings(baseUrl, to.E164!, from, token, callSid, utterances), "");
    }

    private static (IReadOnlyList<CallerUtterance>? Utterances, string Error) ReadAudio(string path)
    {
        WavAudio wav;
        try
        {
            wav = WavFile.Read(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return (null, $"--audio '{path}' ist nicht lesbar: {ex.Message}");
        }

        if (wav.SampleRate < Resampler.TelephoneRate)
        {
            return (null, $"--audio '{path}' hat {wav.SampleRate} Hz; mindestens {Resampler.TelephoneRate} Hz sind nötig.");
        }

        var mulaw = MuLaw.Encode(Resampler.Resample(wav.Samples, wav.SampleRate));
        var name = Path.GetFileName(path);
        var parts = CallSimulatorAudio.SplitUtterances(mulaw);
        return (parts.Select((part, i) => new CallerUtterance(
            $"[{name}, Äußerung {i + 1} von {parts.Count}]", MuLaw: part)).ToList(), "");
    }

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex CallSidPattern();
}
