using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony;

/// <summary>
/// Speech engines for realtime calls, chosen when a call starts: OpenAI (recognition and speech) when the super-admin
/// stored a key, otherwise no recognition (calls then use gather mode) and espeak-ng speech. Audio is cached per process.
/// </summary>
public sealed class RealtimeSpeech(SettingsStore settings, IOptions<OpenAiOptions> options, TextToSpeechCache cache, ILoggerFactory loggers,
    TimeProvider time) : ISpeechEngines
{
    private static readonly IReadOnlyDictionary<string, string> EspeakLabels = new Dictionary<string, string>
    {
        ["de"] = "Voice.Espeak.Male",
        ["de+m3"] = "Voice.Espeak.Male2",
        ["de+f3"] = "Voice.Espeak.Female",
        ["de+f4"] = "Voice.Espeak.Female2",
    };

    public async Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct);
        return SpeechEngines.Select(options.Value with { ApiKey = key }, cache, loggers, time);
    }

    /// <summary>espeak-ng's German voices always (it is the offline engine), OpenAI's once its key is stored.</summary>
    public async Task<IReadOnlyList<Choice>> VoicesAsync(CancellationToken ct)
    {
        var voices = EspeakTextToSpeech.GermanVoices
            .Select(v => new Choice(v, Texts.Get(EspeakLabels.GetValueOrDefault(v, "Voice.Espeak.Male")))).ToList();
        if (!string.IsNullOrWhiteSpace(await settings.GetAsync(OpenAiOptions.ApiKeySetting, ct)))
        {
            voices.AddRange(OpenAiTextToSpeech.VoiceNames.Select(v => new Choice(v, Texts.Format("Voice.OpenAi", char.ToUpperInvariant(v[0]) + v[1..]))));
        }

        return voices;
    }
}
