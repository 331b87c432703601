using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using VoiceAgent.Calendars;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Calendars;

/// <summary>
/// OAuth starts and callbacks are limited per signed-in user and per client address (IPv6 grouped by /64), both per
/// minute (<see cref="CalendarOptions.OAuthPermitsPerUser"/>, <see cref="CalendarOptions.OAuthPermitsPerAddress"/>);
/// either limit reached → 429 problem. An endpoint filter, because one rate-limiter policy has one partition key only.
/// </summary>
public sealed class OAuthRateLimiter : IEndpointFilter, IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> limiter;

    public OAuthRateLimiter(IOptions<CalendarOptions> options)
    {
        var o = options.Value;
        var perUser = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
            "user:" + (http.User.UserId()?.ToString() ?? "anonymous"), _ => Window(o.OAuthPermitsPerUser)));
        var perAddress = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
            "address:" + RateLimits.ClientKey(http.Connection.RemoteIpAddress), _ => Window(o.OAuthPermitsPerAddress)));
        limiter = PartitionedRateLimiter.CreateChained(perUser, perAddress);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var lease = limiter.AttemptAcquire(context.HttpContext);
        if (!lease.IsAcquired)
        {
            context.HttpContext.Response.Headers.RetryAfter = "60";
            return Problems.Status(StatusCodes.Status429TooManyRequests, Texts.Get("Problem.TooManyRequests"));
        }

        return await next(context);
    }

    public void Dispose() => limiter.Dispose();

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
}

public static class OAuthRateLimiterExtensions
{
    /// <summary>One limiter for all OAuth routes (the singleton), so the start and the callback share the budget.</summary>
    public static RouteHandlerBuilder RequireOAuthRateLimit(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<OAuthRateLimiter>().InvokeAsync(context, next));
}
