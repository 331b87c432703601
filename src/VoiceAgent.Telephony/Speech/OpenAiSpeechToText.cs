using System.ClientModel;
using Microsoft.Extensions.Logging;
using OpenAI.Audio;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>Transcribes one caller utterance with OpenAI (German). The PCM goes up as an 8 kHz mono WAV, which the API
/// accepts as it is. Failures within <see cref="OpenAiOptions.Timeout"/> become a <see cref="PortException"/>: the call
/// layer decides what the caller hears.</summary>
public sealed class OpenAiSpeechToText : ISpeechToText
{
    public const string Language = "de";

    private const string FileName = "utterance.wav";

    private readonly AudioClient client;
    private readonly TimeSpan timeout;
    private readonly string keyHint;
    private readonly TimeProvider time;

    /// <param name="options">Needs <see cref="OpenAiOptions.ApiKey"/>; uses <see cref="OpenAiOptions.TranscriptionModel"/>.</param>
    public OpenAiSpeechToText(OpenAiOptions options, ILogger<OpenAiSpeechToText> logger, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("An OpenAI API key is required for speech recognition.", nameof(options));
        }

        keyHint = SecretHint.For(options.ApiKey);
        client = new AudioClient(options.TranscriptionModel, new ApiKeyCredential(options.ApiKey), OpenAiCalls.ClientOptions(options, "transcription", keyHint, logger, time));
        timeout = options.Timeout;
        this.time = time;
    }

    /// <exception cref="PortException">OpenAI failed, answered unreadably or not within the budget.</exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<string?> TranscribeAsync(ReadOnlyMemory<short> pcm8k, CancellationToken cancellationToken)
    {
        if (pcm8k.IsEmpty)
        {
            return null;
        }

        var wav = WavFile.WriteNarrowband(pcm8k.Span);
        var options = new AudioTranscriptionOptions { Language = Language, ResponseFormat = AudioTranscriptionFormat.Simple };
        using var budget = new CancellationTokenSource(timeout, time);
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        string? text;
        try
        {
            using var audio = new MemoryStream(wav, writable: false);
            var transcription = (await client.TranscribeAudioAsync(audio, FileName, options, request.Token)).Value;
            text = transcription.Text;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PortException($"OpenAI transcription ({keyHint}) gave no answer within {timeout.TotalMilliseconds} ms.", ex);
        }
        catch (ClientResultException ex)
        {
            // Status 0: no HTTP response at all (connection refused, DNS).
            throw new PortException($"OpenAI transcription ({keyHint}) failed with HTTP status {ex.Status}: {OpenAiCalls.OneLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not PortException)
        {
            // A 200 whose body the SDK cannot read (JsonException and friends).
            throw new PortException($"OpenAI transcription ({keyHint}) returned an unreadable response ({ex.GetType().Name}).", ex);
        }

        text = text?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }
}
