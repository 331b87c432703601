using System.Buffers.Binary;
using System.ClientModel;
using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OpenAI.Audio;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;

namespace VoiceAgent.Telephony.Speech;

/// <summary>Speech from OpenAI as raw 24 kHz PCM ("pcm" format), resampled to 8 kHz and μ-law encoded. Failures within
/// <see cref="OpenAiOptions.Timeout"/> become a <see cref="PortException"/>.</summary>
public sealed class OpenAiTextToSpeech : ITextToSpeech
{
    /// <summary>The "pcm" response format: 24 kHz, 16-bit signed little-endian, mono, no header.</summary>
    public const int PcmSampleRate = 24_000;

    public const int MaxInputLength = 4096;

    /// <summary>The voices OpenAI speech offers, in the order the designer lists them.</summary>
    public static readonly IReadOnlyList<string> VoiceNames =
        ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse"];

    /// <summary>A flow may name an espeak voice ("de+f3"); sending that would only earn a 400.</summary>
    private static readonly FrozenSet<string> Voices = VoiceNames.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>100 ms of 24 kHz PCM16: the piece size the stream is read in.</summary>
    private const int ReadBytes = 4_800;

    private readonly AudioClient client;
    private readonly string model;
    private readonly string defaultVoice;
    private readonly TimeSpan timeout;
    private readonly string keyHint;
    private readonly TimeProvider time;

    /// <param name="options">Needs <see cref="OpenAiOptions.ApiKey"/>; uses <see cref="OpenAiOptions.SpeechModel"/> and
    /// <see cref="OpenAiOptions.Voice"/>.</param>
    public OpenAiTextToSpeech(OpenAiOptions options, ILogger<OpenAiTextToSpeech> logger, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("An OpenAI API key is required; without one use EspeakTextToSpeech.", nameof(options));
        }

        keyHint = SecretHint.For(options.ApiKey);
        client = new AudioClient(options.SpeechModel, new ApiKeyCredential(options.ApiKey), OpenAiCalls.ClientOptions(options, "speech", keyHint, logger, time));
        model = options.SpeechModel;
        defaultVoice = options.Voice;
        timeout = options.Timeout;
        this.time = time;
    }

    /// <param name="voice">An OpenAI voice ("nova"); anything else means <see cref="OpenAiOptions.Voice"/>.</param>
    /// <exception cref="PortException">OpenAI failed, answered with something other than audio or not within the budget.</exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<byte[]> SynthesizeMuLawAsync(string text, string? voice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        if (text.Length > MaxInputLength)
        {
            throw new PortException($"OpenAI speech accepts at most {MaxInputLength} characters; the text has {text.Length}.");
        }

        var options = new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Pcm };
        var speaker = voice is not null && Voices.Contains(voice) ? voice : defaultVoice;
        using var budget = new CancellationTokenSource(timeout, time);
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        ClientResult<BinaryData> result;
        try
        {
            result = await client.GenerateSpeechAsync(text, new GeneratedSpeechVoice(speaker), options, request.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PortException($"OpenAI speech ({keyHint}) gave no answer within {timeout.TotalMilliseconds} ms.", ex);
        }
        catch (ClientResultException ex)
        {
            throw new PortException($"OpenAI speech ({keyHint}) failed with HTTP status {ex.Status}: {OpenAiCalls.OneLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not PortException)
        {
            throw new PortException($"OpenAI speech ({keyHint}) failed ({ex.GetType().Name}).", ex);
        }

        // Any bytes would pass as PCM; a proxy's error page or a JSON body must not be played to the caller as noise.
        if (result.GetRawResponse().Headers.TryGetValue("Content-Type", out var contentType)
            && contentType is not null
            && (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PortException($"OpenAI speech ({keyHint}) returned {contentType} instead of audio.");
        }

        var pcm = Samples(result.Value.ToMemory().Span);
        return MuLaw.Encode(Resampler.Resample(pcm, PcmSampleRate));
    }

    /// <summary>
    /// The speech as OpenAI streams it (chunked PCM): each piece is resampled and encoded as it arrives, so the first
    /// frames leave long before the sentence is synthesized to the end. <see cref="OpenAiOptions.Timeout"/> bounds the wait
    /// for the response and for each next piece.
    /// </summary>
    /// <exception cref="PortException">As <see cref="SynthesizeMuLawAsync"/>, also when the stream breaks off.</exception>
    public async IAsyncEnumerable<byte[]> StreamMuLawAsync(string text, string? voice,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        if (text.Length > MaxInputLength)
        {
            throw new PortException($"OpenAI speech accepts at most {MaxInputLength} characters; the text has {text.Length}.");
        }

        using var budget = new CancellationTokenSource(timeout, time);
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        using var response = await OpenStreamAsync(text, voice, request.Token, cancellationToken);
        await using var body = response.ContentStream ?? throw new PortException($"OpenAI speech ({keyHint}) returned no body.");
        var resampler = new Resampler(PcmSampleRate);
        var buffer = new byte[ReadBytes + 1];
        var carried = 0;
        while (true)
        {
            budget.CancelAfter(timeout);
            var read = await ReadAsync(body, buffer.AsMemory(carried, ReadBytes), request.Token, cancellationToken);
            if (read == 0)
            {
                break;
            }

            var available = carried + read;
            var whole = available & ~1;
            var audio = MuLaw.Encode(resampler.Process(Samples(buffer.AsSpan(0, whole))));
            carried = available - whole;
            if (carried == 1)
            {
                buffer[0] = buffer[whole];
            }

            if (audio.Length > 0)
            {
                yield return audio;
            }
        }

        var tail = MuLaw.Encode(resampler.Flush());
        if (tail.Length > 0)
        {
            yield return tail;
        }
    }

    private async Task<System.ClientModel.Primitives.PipelineResponse> OpenStreamAsync(string text, string? voice, CancellationToken request,
        CancellationToken caller)
    {
        var speaker = voice is not null && Voices.Contains(voice) ? voice : defaultVoice;
        var content = BinaryContent.Create(BinaryData.FromObjectAsJson(new { model, input = text, voice = speaker, response_format = "pcm" }));
        System.ClientModel.Primitives.PipelineResponse response;
        try
        {
            var result = await client.GenerateSpeechAsync(content,
                new System.ClientModel.Primitives.RequestOptions { BufferResponse = false, CancellationToken = request });
            response = result.GetRawResponse();
        }
        catch (OperationCanceledException ex) when (!caller.IsCancellationRequested)
        {
            throw new PortException($"OpenAI speech ({keyHint}) gave no answer within {timeout.TotalMilliseconds} ms.", ex);
        }
        catch (ClientResultException ex)
        {
            throw new PortException($"OpenAI speech ({keyHint}) failed with HTTP status {ex.Status}: {OpenAiCalls.OneLine(ex.Message)}", ex);
        }
        catch (Exception ex) when (!caller.IsCancellationRequested && ex is not PortException)
        {
            throw new PortException($"OpenAI speech ({keyHint}) failed ({ex.GetType().Name}).", ex);
        }

        if (response.Headers.TryGetValue("Content-Type", out var contentType)
            && contentType is not null
            && (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            response.Dispose();
            throw new PortException($"OpenAI speech ({keyHint}) returned {contentType} instead of audio.");
        }

        return response;
    }

    private async Task<int> ReadAsync(Stream body, Memory<byte> into, CancellationToken request, CancellationToken caller)
    {
        try
        {
            return await body.ReadAsync(into, request);
        }
        catch (Exception ex) when (!caller.IsCancellationRequested && ex is OperationCanceledException or IOException or System.Net.Http.HttpRequestException)
        {
            throw new PortException($"OpenAI speech ({keyHint}) broke off while streaming ({ex.GetType().Name}).", ex);
        }
    }

    /// <summary>16-bit little-endian; a trailing odd byte (a cut stream) is dropped.</summary>
    private static short[] Samples(ReadOnlySpan<byte> pcm)
    {
        var samples = new short[pcm.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(2 * i)..]);
        }

        return samples;
    }
}
