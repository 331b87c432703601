using System.Net;
using System.Net.Http.Headers;
using Microsoft.Kiota.Abstractions;
using Polly.Timeout;

namespace VoiceAgent.Calendars;

/// <summary>
/// The time a calendar operation may take, retries included (about 2 s within a call). It travels with each request
/// (<see cref="HttpRequestMessage.Options"/>) to <see cref="CalendarResilience"/>; as a Kiota request option it gets there
/// from Graph SDK calls too (Kiota copies options onto the message under the option type's full name).
/// </summary>
public sealed class CalendarBudget(TimeProvider time, TimeSpan length) : IRequestOption
{
    public static readonly HttpRequestOptionsKey<IRequestOption> RequestKey = new(typeof(CalendarBudget).FullName!);

    private readonly long started = time.GetTimestamp();

    public TimeSpan Length => length;

    public TimeSpan Remaining => length - time.GetElapsedTime(started);

    public TimeProvider Time => time;

    public static CalendarBudget? Of(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(RequestKey, out var option) ? option as CalendarBudget : null;
}

/// <summary>A calendar provider could not be reached in time (5xx, 429, network, budget used up): worth trying again later.</summary>
public sealed class CalendarUnavailableException(string message, bool budgetExhausted, Exception? inner = null) : Exception(message, inner)
{
    public bool BudgetExhausted { get; } = budgetExhausted;
}

/// <summary>The grant no longer works (revoked, expired, password changed): the connection is broken until reconnected.</summary>
public sealed class CalendarAuthorizationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The provider refused the request for good (4xx other than 401/429), e.g. the calendar no longer exists.</summary>
public sealed class CalendarProviderException(HttpStatusCode status, string message, CalendarRefusal refusal = CalendarRefusal.None)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Set when our own guard refused the server's answer (not the provider the request).</summary>
    public CalendarRefusal Refusal { get; } = refusal;
}

/// <summary>Why our guard refused a calendar server's answer.</summary>
public enum CalendarRefusal
{
    None,

    /// <summary>A redirect, a returned href or the address after DNS points at a non-public address (or downgrades to http).</summary>
    Address,

    /// <summary>The answer is larger than <see cref="VoiceAgent.Platform.Http.LimitedBody.CalendarBytes"/>.</summary>
    TooLarge,
}

/// <summary>
/// Sends one calendar request through the client's resilience pipeline (<see cref="CalendarResilience"/>: retries and
/// the budget) and turns what is left of a transient failure into <see cref="CalendarUnavailableException"/>.
/// </summary>
public static class CalendarHttp
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, CalendarBudget budget, CancellationToken ct)
    {
        request.Options.Set(CalendarBudget.RequestKey, budget);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception ex) when (Refused(ex) is { } refused)
        {
            throw refused;
        }
        catch (Exception ex) when (CalendarResilience.Unavailable(ex, ct) is { } unavailable)
        {
            throw unavailable;
        }

        if (await CalendarResilience.IsTransientAsync(response, ct))
        {
            var error = CalendarResilience.Unavailable(response.StatusCode, response.Headers.RetryAfter, budget);
            response.Dispose();
            throw error;
        }

        return response;
    }

    /// <summary>What our guards' refusals (<see cref="VoiceAgent.Platform.Http.NetworkGuard"/>, the size cap) become; null for others.</summary>
    public static CalendarProviderException? Refused(Exception ex) =>
        VoiceAgent.Platform.Http.NetworkGuard.Refusal(ex) is { } address
            ? new CalendarProviderException(HttpStatusCode.BadGateway, address.Message, CalendarRefusal.Address)
            : Inner<VoiceAgent.Platform.Http.ResponseTooLargeException>(ex) is { } large
                ? new CalendarProviderException(HttpStatusCode.BadGateway, large.Message, CalendarRefusal.TooLarge)
                : null;

    private static T? Inner<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    public static HttpRequestMessage Bearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
