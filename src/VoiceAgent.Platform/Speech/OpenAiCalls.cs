using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace VoiceAgent.Platform.Speech;

/// <summary>What every OpenAI client here shares: no SDK retries, one short retry on 429 within the caller's budget.</summary>
internal static class OpenAiCalls
{
    /// <summary>A longer wait would not fit the turn budget; the caller is better served by the fallback.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(1);

    public static OpenAIClientOptions ClientOptions(OpenAiOptions options) => new()
    {
        Endpoint = options.Endpoint,
        // The SDK would retry 3 times with back-off and honour any Retry-After; the turn budget allows one short retry, done here.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = options.Timeout,
    };

    /// <param name="api">Names the API in the log line: "chat", "transcription", "speech".</param>
    public static async Task<T> WithOneRetryAsync<T>(
        Func<CancellationToken, Task<T>> call, string api, string keyHint, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        try
        {
            return await call(ct);
        }
        catch (ClientResultException ex) when (ex.Status == 429 && RetryAfter(ex.GetRawResponse(), time) is { } delay && delay <= MaxRetryAfter)
        {
            logger.LogInformation("OpenAI {Api} ({KeyHint}) is rate limited; retrying once after {DelayMs} ms", api, keyHint, delay.TotalMilliseconds);
            await Task.Delay(delay, time, ct);
            return await call(ct);
        }
    }

    /// <summary>The SDK's message spreads the status and OpenAI's error text over several lines.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>OpenAI sends "retry-after-ms" (fractional milliseconds) and/or the standard "Retry-After" (seconds or an HTTP date).</summary>
    private static TimeSpan? RetryAfter(PipelineResponse? response, TimeProvider time)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var wait = at - time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }
}
