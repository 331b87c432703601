using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenAI;
using Polly;
using Polly.Retry;

namespace VoiceAgent.Platform.Speech;

/// <summary>
/// What every OpenAI client here shares: the SDK's own retries are off; one retry policy (Microsoft.Extensions.Http.
/// Resilience on the SDK's HttpClient) retries a 429 once when OpenAI asks for a wait that fits the turn (at most 1 s).
/// Everything else (5xx, a long wait, a second 429, a timeout) goes straight back to the caller, whose budget
/// (<see cref="OpenAiOptions.Timeout"/>, on its <see cref="TimeProvider"/>) covers the whole call including the wait.
/// </summary>
public static class OpenAiCalls
{
    /// <summary>A longer wait would not fit the turn budget; the caller is better served by the fallback.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Connections are shared by all OpenAI clients (engines are made per call, sockets should not be).</summary>
    private static readonly SocketsHttpHandler Connections = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    /// <param name="api">Names the API in the log line: "chat", "transcription", "speech".</param>
    public static OpenAIClientOptions ClientOptions(OpenAiOptions options, string api, string keyHint, ILogger logger, TimeProvider time)
    {
        var handler = new ResilienceHandler(RetryPipeline(api, keyHint, logger, time)) { InnerHandler = Connections };
        var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        return new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(http),
            // The caller's budget is the timeout; this only bounds a request nobody waits for any more.
            NetworkTimeout = options.Timeout + MaxRetryAfter,
        };
    }

    internal static ResiliencePipeline<HttpResponseMessage> RetryPipeline(string api, string keyHint, ILogger logger, TimeProvider time) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 1,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response
                    && RetryAfter(response, time) is { } wait && wait <= MaxRetryAfter),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, time)),
                OnRetry = args =>
                {
                    logger.LogInformation("OpenAI {Api} ({KeyHint}) is rate limited; retrying once after {DelayMs} ms", api, keyHint,
                        args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>The SDK's message spreads the status and OpenAI's error text over several lines.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>OpenAI sends "retry-after-ms" (fractional milliseconds) and/or the standard "Retry-After" (seconds or an HTTP date).</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } at } => at - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }
}
