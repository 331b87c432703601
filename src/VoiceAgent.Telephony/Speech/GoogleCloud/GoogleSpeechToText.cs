using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>Transcribes one caller utterance with Google Cloud Speech-to-Text v1 <c>speech:recognize</c>: the 8 kHz PCM
/// goes up as LINEAR16 (raw little-endian samples, base64), the transcript is the first alternative of each result.</summary>
/// <param name="languageCode">BCP-47, e.g. "de-DE", "de-AT", "de-CH" (the tenant's country).</param>
public sealed class GoogleSpeechToText(GoogleCloudApi api, GoogleServiceAccount account, string languageCode) : ISpeechToText
{
    public const int SampleRate = 8_000;

    public string LanguageCode => languageCode;

    /// <exception cref="PortException">Google failed, answered unreadably or not within the budget.</exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<string?> TranscribeAsync(ReadOnlyMemory<short> pcm8k, CancellationToken cancellationToken)
    {
        if (pcm8k.IsEmpty)
        {
            return null;
        }

        // LINEAR16 is little-endian, as .NET lays out shorts on every platform it runs on here.
        var bytes = MemoryMarshal.AsBytes(pcm8k.Span);
        var body = new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["encoding"] = "LINEAR16",
                ["sampleRateHertz"] = SampleRate,
                ["audioChannelCount"] = 1,
                ["languageCode"] = languageCode,
            },
            ["audio"] = new JsonObject { ["content"] = Convert.ToBase64String(bytes) },
        };
        var url = new Uri(api.Options.SpeechBaseUrl, "/v1/speech:recognize");
        var answer = await api.PostAsync(url, body, account, "speech recognition", cancellationToken);

        // Longer audio comes back as several results in order; nothing intelligible as no results at all.
        var text = new StringBuilder();
        foreach (var result in answer["results"] as JsonArray ?? [])
        {
            if ((string?)(result?["alternatives"] as JsonArray)?.FirstOrDefault()?["transcript"] is { } transcript)
            {
                text.Append(' ').Append(transcript.Trim());
            }
        }

        var heard = text.ToString().Trim();
        return heard.Length == 0 ? null : heard;
    }
}
