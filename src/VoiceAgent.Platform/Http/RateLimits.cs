using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Rate limits (issue #16). Anonymous sign-in and registration: per client address (IPv6 grouped by /64), ASP.NET's
/// rate limiter. Signed-in API use: per tenant (all requests; simulations started) and per user (changes, i.e. every
/// non-GET request), counted by <see cref="UsageLimits"/> after the user is known. New calls (per tenant, per caller
/// number) are counted where the call is routed (CallStarted). Every refusal is a 429 with Retry-After and a German
/// problem; the client address is the one the trusted-proxy middleware resolved.
/// </summary>
public static class RateLimits
{
    public const string Anonymous = "anonymous-auth";
    public const int PermitsPerMinute = 30;

    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<UsageLimitOptions>().Bind(builder.Configuration.GetSection(UsageLimitOptions.Section));
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<TenantPlanNames>();
        builder.Services.AddSingleton<UsageLimits>();
        builder.Services.AddSingleton<LocalRateCounter>();
        // Shared across instances when Redis is configured; per instance otherwise (and while Redis is unreachable).
        builder.Services.AddSingleton<IRateCounter>(s => s.GetRequiredService<Cluster.RedisConnection>().Configured
            ? ActivatorUtilities.CreateInstance<RedisRateCounter>(s)
            : s.GetRequiredService<LocalRateCounter>());
        var anonymous = builder.Configuration.GetSection(UsageLimitOptions.Section).GetValue<int?>(nameof(UsageLimitOptions.AnonymousPerClientPerMinute))
            ?? PermitsPerMinute;
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(Anonymous, context => RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = anonymous, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                await RejectAsync(context.HttpContext, retry, Texts.Get("Problem.TooManyRequests"));
            };
        });
    }

    /// <summary>The rate limiter, then the per-tenant and per-user limits of signed-in API requests.</summary>
    public static void UseRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && context.User.Identity?.IsAuthenticated == true
                && await RefusedAsync(context) is { } refused)
            {
                await RejectAsync(context, refused.RetryAfter, Texts.Get(refused.Kind switch
                {
                    UsageLimitKind.TenantSimulations => "RateLimit.Simulations",
                    UsageLimitKind.UserChanges => "RateLimit.UserChanges",
                    _ => "RateLimit.Tenant",
                }));
                return;
            }

            await next(context);
        });
    }

    private static async ValueTask<LimitDecision?> RefusedAsync(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<UsageLimits>();
        var ct = context.RequestAborted;
        var tenantId = context.User.TenantId();
        if (tenantId is { } tenant)
        {
            var api = await limits.HitTenantAsync(tenant, UsageLimitKind.TenantApi, ct);
            if (!api.Allowed)
            {
                return api;
            }

            if (IsSimulationStart(context.Request))
            {
                var simulation = await limits.HitTenantAsync(tenant, UsageLimitKind.TenantSimulations, ct);
                if (!simulation.Allowed)
                {
                    return simulation;
                }
            }
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && !HttpMethods.IsOptions(context.Request.Method) && context.User.UserId() is { } user)
        {
            var changes = await limits.HitUserAsync(user, tenantId, ct);
            if (!changes.Allowed)
            {
                return changes;
            }
        }

        return null;
    }

    // POST /api/flows/{id}/simulations starts one (speech and answers inside it are not new simulations).
    private static bool IsSimulationStart(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/api/flows")
        && request.Path.Value!.TrimEnd('/').EndsWith("/simulations", StringComparison.Ordinal);

    /// <summary>429 with Retry-After (whole seconds) and a German problem.</summary>
    public static async Task RejectAsync(HttpContext context, TimeSpan retryAfter, string title)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.Write(context, StatusCodes.Status429TooManyRequests, title);
    }

    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
