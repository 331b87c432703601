using Microsoft.Extensions.Logging;

using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Telephony.Speech.GoogleCloud;

namespace VoiceAgent.Telephony.Speech;

/// <summary>Chooses the speech engines for a call: OpenAI recognition and synthesis when an API key is set, otherwise
/// no recognition (null: the call layer does without) and espeak-ng. Synthesis always goes through the shared cache.</summary>
public static class SpeechEngines
{
    /// <param name="options">With or without <see cref="OpenAiOptions.ApiKey"/>; the key may come from the stored settings
    /// (<c>options with { ApiKey = key }</c>), so this is cheap enough to call per call.</param>
    /// <param name="cache">The process-wide cache (a DI singleton): it outlives the engines chosen here.</param>
    public static (ISpeechToText? Stt, ITextToSpeech Tts) Select(
        OpenAiOptions options, TextToSpeechCache cache, ILoggerFactory loggers, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            var espeak = new EspeakTextToSpeech(loggers.CreateLogger<EspeakTextToSpeech>(), time);
            return (null, new CachingTextToSpeech(espeak, cache, EspeakTextToSpeech.DefaultExecutable));
        }

        var stt = new OpenAiSpeechToText(options, loggers.CreateLogger<OpenAiSpeechToText>(), time);
        var tts = new OpenAiTextToSpeech(options, loggers.CreateLogger<OpenAiTextToSpeech>(), time);
        return (stt, new CachingTextToSpeech(tts, cache, $"openai/{options.SpeechModel}/{options.Voice}"));
    }

    /// <summary>Streaming recognition for realtime calls where the engine offers it: OpenAI with a key, a "gpt-4o…transcribe"
    /// model and <see cref="OpenAiOptions.StreamingTranscription"/> on; otherwise null (utterances are transcribed whole).</summary>
    public static IStreamingSpeechToText? Streaming(OpenAiOptions options, TimeProvider time) =>
        !string.IsNullOrWhiteSpace(options.ApiKey) && options.StreamingTranscription && OpenAiStreamingSpeechToText.Streams(options.TranscriptionModel)
            ? new OpenAiStreamingSpeechToText(options, time)
            : null;

    /// <summary>espeak-ng speaking with <paramref name="voice"/> unless the flow names another espeak voice; no recognition.</summary>
    public static (ISpeechToText? Stt, ITextToSpeech Tts) Offline(string voice, TextToSpeechCache cache, ILoggerFactory loggers, TimeProvider time)
    {
        var espeak = new EspeakTextToSpeech(loggers.CreateLogger<EspeakTextToSpeech>(), time);
        return (null, new CachingTextToSpeech(new DefaultVoice(espeak, voice), cache, $"{EspeakTextToSpeech.DefaultExecutable}/{voice}"));
    }

    /// <summary>Google Cloud recognition in <paramref name="languageCode"/> and synthesis with <paramref name="voice"/>
    /// (unless the flow names another Google voice).</summary>
    public static (ISpeechToText? Stt, ITextToSpeech Tts) GoogleCloud(GoogleCloudApi api, GoogleServiceAccount account, string voice, string languageCode,
        TextToSpeechCache cache) =>
        (new GoogleSpeechToText(api, account, languageCode), new CachingTextToSpeech(new GoogleTextToSpeech(api, account, voice), cache, $"google/{voice}"));

    /// <summary>The tenant's espeak voice where the flow names none, or a voice of another engine (a flow written while
    /// the tenant used OpenAI or Google).</summary>
    private sealed class DefaultVoice(ITextToSpeech inner, string voice) : ITextToSpeech
    {
        public ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? requested, CancellationToken cancellationToken) =>
            inner.SynthesizeMuLawAsync(text,
                requested is null || OpenAiTextToSpeech.VoiceNames.Contains(requested) || GoogleVoices.IsKnown(requested) ? voice : requested,
                cancellationToken);
    }
}
