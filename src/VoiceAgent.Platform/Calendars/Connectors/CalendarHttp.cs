using System.Net;
using System.Net.Http.Headers;

namespace VoiceAgent.Platform.Calendars;

/// <summary>The time a calendar operation may take, retries included (about 2 s within a call).</summary>
public sealed class CalendarBudget(TimeProvider time, TimeSpan length)
{
    private readonly long started = time.GetTimestamp();

    public TimeSpan Length => length;

    public TimeSpan Remaining => length - time.GetElapsedTime(started);

    public TimeProvider Time => time;
}

/// <summary>A calendar provider could not be reached in time (5xx, 429, network, budget used up): worth trying again later.</summary>
public sealed class CalendarUnavailableException(string message, bool budgetExhausted, Exception? inner = null) : Exception(message, inner)
{
    public bool BudgetExhausted { get; } = budgetExhausted;
}

/// <summary>The grant no longer works (revoked, expired, password changed): the connection is broken until reconnected.</summary>
public sealed class CalendarAuthorizationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The provider refused the request for good (4xx other than 401/429), e.g. the calendar no longer exists.</summary>
public sealed class CalendarProviderException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// Sends a calendar request within a budget: 429 and 5xx (and Google's 403 rate-limit reasons) are retried after the
/// Retry-After the provider asks for, or a short exponential back-off, as long as the wait fits into the budget.
/// The request factory is called per attempt (a request message can be sent once only).
/// </summary>
public static class CalendarHttp
{
    public const int MaxAttempts = 4;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, Func<HttpRequestMessage> request, CalendarBudget budget,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var remaining = budget.Remaining;
            if (remaining <= TimeSpan.Zero)
            {
                throw new CalendarUnavailableException("The calendar did not answer within the time budget.", budgetExhausted: true);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(remaining);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request(), HttpCompletionOption.ResponseContentRead, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new CalendarUnavailableException("The calendar did not answer within the time budget.", budgetExhausted: true, ex);
            }
            catch (HttpRequestException ex)
            {
                var wait = Backoff(attempt);
                if (attempt >= MaxAttempts || wait >= budget.Remaining)
                {
                    throw new CalendarUnavailableException($"The calendar is unreachable: {ex.Message}", budgetExhausted: attempt < MaxAttempts, ex);
                }

                await Task.Delay(wait, budget.Time, ct);
                continue;
            }

            if (!await IsTransientAsync(response, ct))
            {
                return response;
            }

            var delay = RetryAfter(response, budget.Time) ?? Backoff(attempt);
            var status = (int)response.StatusCode;
            response.Dispose();
            if (attempt >= MaxAttempts)
            {
                throw new CalendarUnavailableException($"The calendar answered {status} {MaxAttempts} times.", budgetExhausted: false);
            }

            if (delay >= budget.Remaining)
            {
                throw new CalendarUnavailableException($"The calendar answered {status} and asked to wait {delay.TotalSeconds:0.#} s.", budgetExhausted: true);
            }

            await Task.Delay(delay, budget.Time, ct);
        }
    }

    public static HttpRequestMessage Bearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<bool> IsTransientAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (status == 429 || status >= 500)
        {
            return true;
        }

        if (status != 403)
        {
            return false;
        }

        // Google reports quota and rate limits as 403 with a usageLimits reason.
        var body = await response.Content.ReadAsStringAsync(ct);
        return body.Contains("rateLimitExceeded", StringComparison.Ordinal) || body.Contains("userRateLimitExceeded", StringComparison.Ordinal);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
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

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4));
}
