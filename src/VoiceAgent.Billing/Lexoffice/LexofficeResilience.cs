using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>
/// The Lexoffice client's HTTP pipeline (Microsoft.Extensions.Http.Resilience): retry → attempt timeout → rate-limit slot.
/// Up to <see cref="LexofficeOptions.MaxAttempts"/> attempts; 429 always retried, 5xx, network errors and timeouts only
/// for requests marked <see cref="RetryServerErrors"/>; exponential back-off from <see cref="LexofficeOptions.RetryDelay"/>
/// unless the answer carries <c>Retry-After</c> (Lexoffice documents none, a gateway in front may send one; capped).
/// </summary>
public static class LexofficeResilience
{
    /// <summary>Set on a request that may be repeated after a 5xx or a timeout (reads, contact updates).</summary>
    public static readonly HttpRequestOptionsKey<bool> RetryServerErrors = new("lexoffice.retry-server-errors");

    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public static IHttpClientBuilder AddLexofficeResilience(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler("lexoffice-retry", (pipeline, context) =>
        {
            context.EnableReloads<LexofficeOptions>();
            var options = context.GetOptions<LexofficeOptions>();
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.TimeProvider = time;
            if (options.MaxAttempts > 1)
            {
                pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(options, time, args.AttemptNumber, args.Outcome.Result)),
                });
            }
        });
        builder.AddResilienceHandler("lexoffice-timeout", (pipeline, context) =>
        {
            context.EnableReloads<LexofficeOptions>();
            var options = context.GetOptions<LexofficeOptions>();
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddTimeout(options.Timeout);
        });
        // Innermost: nothing but the socket lies between a request's slot and its sending, so late requests do not
        // bunch up behind pipeline work (the attempt's timeout includes the short wait for the slot).
        builder.AddHttpMessageHandler(sp => new RateLimitHandler(sp.GetRequiredService<LexofficeRateLimiter>()));
        return builder;
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests })
        {
            return true;
        }

        var serverErrors = context.GetRequestMessage()?.Options.TryGetValue(RetryServerErrors, out var retry) == true && retry;
        return serverErrors && (outcome.Result is { } response
            ? (int)response.StatusCode >= 500
            : outcome.Exception is HttpRequestException or TimeoutRejectedException);
    }

    /// <summary>Retry-After (seconds or a date) wins over the back-off, capped at <see cref="MaxRetryAfter"/>; plus up to 100 ms jitter.</summary>
    internal static TimeSpan Delay(LexofficeOptions options, TimeProvider time, int attemptNumber, HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        var retryAfter = header?.Delta ?? (header?.Date is { } at ? at - time.GetUtcNow() : null);
        var delay = retryAfter is { } wait
            ? TimeSpan.FromTicks(Math.Clamp(wait.Ticks, 0, MaxRetryAfter.Ticks))
            : options.RetryDelay * Math.Pow(2, attemptNumber);
        return delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
    }

    /// <summary>Each attempt (retries too) waits for its slot in the cross-instance schedule.</summary>
    private sealed class RateLimitHandler(LexofficeRateLimiter limiter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await limiter.WaitAsync(cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
