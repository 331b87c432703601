using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace VoiceAgent.Calendars;

/// <summary>
/// The one retry policy of the calendar clients (Google, Graph through its SDK, CalDAV), as a resilience pipeline on
/// their HttpClients: 429 and 5xx (and Google's 403 rate-limit reasons) and network errors are retried up to
/// <see cref="MaxAttempts"/> times, after the Retry-After the provider asks for or an exponential back-off; a wait that
/// does not fit the request's <see cref="CalendarBudget"/> is not started, and the whole request — retries and waits
/// included — ends with the budget. The Graph SDK's own retry handler is not in the chain (it is given this HttpClient).
/// </summary>
public static class CalendarResilience
{
    public const string PipelineName = "calendar";
    public const int MaxAttempts = 4;
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);

    // Requests that carry no budget (none today) are bounded all the same.
    private static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Least = TimeSpan.FromMilliseconds(1);

    public static IHttpClientBuilder AddCalendarResilience(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler(PipelineName, (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            Configure(pipeline);
        });
        return builder;
    }

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline)
    {
        pipeline.AddTimeout(new TimeoutStrategyOptions
        {
            Name = "calendar-budget",
            TimeoutGenerator = args => ValueTask.FromResult(Remaining(args.Context)),
        });
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "calendar-retry",
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = FirstBackoff,
            ShouldRetryAfterHeader = true,
            ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
            OnRetry = args =>
            {
                // A request message is not sent twice: the next attempt gets a copy.
                if (args.Context.GetRequestMessage() is { } sent)
                {
                    args.Context.SetRequestMessage(Copy(sent));
                }

                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>A handler with the pipeline in front of <paramref name="inner"/> (clients made without the HttpClient factory, e.g. tests).</summary>
    public static DelegatingHandler Handler(TimeProvider time, HttpMessageHandler inner)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        Configure(builder);
        return new ResilienceHandler(builder.Build()) { InnerHandler = inner };
    }

    /// <summary>Whether the provider's answer is a transient failure (what the pipeline retries).</summary>
    public static async ValueTask<bool> IsTransientAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (IsTransient(response.StatusCode))
        {
            return true;
        }

        if (response.StatusCode != HttpStatusCode.Forbidden)
        {
            return false;
        }

        // Google reports quota and rate limits as 403 with a usageLimits reason; the body stays readable for the caller.
        await response.Content.LoadIntoBufferAsync(ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return body.Contains("rateLimitExceeded", StringComparison.Ordinal) || body.Contains("userRateLimitExceeded", StringComparison.Ordinal);
    }

    public static bool IsTransient(HttpStatusCode status) => (int)status is 429 or 408 or >= 500;

    /// <summary>What is left of a transient failure after the pipeline: budget exhausted when the provider asked for a longer wait.</summary>
    public static CalendarUnavailableException Unavailable(HttpStatusCode status, RetryConditionHeaderValue? retryAfter, CalendarBudget budget,
        Exception? inner = null) =>
        Wait(retryAfter, budget.Time) is { } wait && wait >= budget.Remaining
            ? new CalendarUnavailableException($"The calendar answered {(int)status} and asked to wait {wait.TotalSeconds:0.#} s.", budgetExhausted: true, inner)
            : new CalendarUnavailableException($"The calendar answered {(int)status} {MaxAttempts} times.", budgetExhausted: false, inner);

    /// <summary>The exception a failed send becomes: the budget ended (timeout) or the provider was unreachable; null for others.</summary>
    public static CalendarUnavailableException? Unavailable(Exception ex, CancellationToken ct) => ex switch
    {
        TimeoutRejectedException => new CalendarUnavailableException("The calendar did not answer within the time budget.", budgetExhausted: true, ex),
        OperationCanceledException when !ct.IsCancellationRequested =>
            new CalendarUnavailableException("The calendar did not answer within the time budget.", budgetExhausted: true, ex),
        HttpRequestException => new CalendarUnavailableException($"The calendar is unreachable: {ex.Message}", budgetExhausted: false, ex),
        _ => null,
    };

    /// <summary>The wait a Retry-After header asks for (seconds or a date).</summary>
    public static TimeSpan? Wait(RetryConditionHeaderValue? header, TimeProvider time)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    // Headers, options and the content (buffered or seekable: JSON, text and Kiota's memory streams) are shared.
    private static HttpRequestMessage Copy(HttpRequestMessage sent)
    {
        var copy = new HttpRequestMessage(sent.Method, sent.RequestUri)
        {
            Content = sent.Content,
            Version = sent.Version,
            VersionPolicy = sent.VersionPolicy,
        };
        foreach (var (name, values) in sent.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        foreach (var (key, value) in sent.Options)
        {
            copy.Options.Set(new HttpRequestOptionsKey<object?>(key), value);
        }

        return copy;
    }

    private static TimeSpan Remaining(ResilienceContext context)
    {
        var remaining = CalendarBudget.Of(context.GetRequestMessage())?.Remaining ?? DefaultBudget;
        return remaining > Least ? remaining : Least;
    }

    private static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is not null)
        {
            // Our own guards' refusals are final: the same redirect or the same oversized answer would come again.
            return outcome.Exception is HttpRequestException && CalendarHttp.Refused(outcome.Exception) is null;
        }

        if (outcome.Result is not { } response || !await IsTransientAsync(response, context.CancellationToken))
        {
            return false;
        }

        // A wait the provider asks for that does not fit the budget is not started: the caller gives up at once (and defers).
        var budget = CalendarBudget.Of(context.GetRequestMessage());
        return budget is null || Wait(response.Headers.RetryAfter, budget.Time) is not { } wait || wait < budget.Remaining;
    }
}
