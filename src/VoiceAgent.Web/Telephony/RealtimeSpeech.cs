using Microsoft.Extensions.Options;
using VoiceAgent.Platform.CallFlows;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.Web.Telephony;

/// <summary>
/// Speech engines for realtime calls, chosen when a call starts: OpenAI (recognition and speech) when the super-admin
/// stored a key, otherwise no recognition (calls then use gather mode) and espeak-ng speech. Audio is cached per process.
/// </summary>
public sealed class RealtimeSpeech(SettingsStore settings, IOptions<OpenAiOptions> options, TextToSpeechCache cache, ILoggerFactory loggers,
    TimeProvider time)
{
    public async Task<(ISpeechToText? Stt, ITextToSpeech Tts)> GetAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(ConversationModels.ApiKeySetting, ct);
        return SpeechEngines.Select(options.Value with { ApiKey = key }, cache, loggers, time);
    }
}
