using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>Anonymous sign-in and registration are limited per client address (IPv6 grouped by /64).</summary>
public static class RateLimits
{
    public const string Anonymous = "anonymous-auth";
    public const int PermitsPerMinute = 30;

    public static void AddRateLimits(this WebApplicationBuilder builder) =>
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(Anonymous, context => RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = PermitsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, Texts.Get("Problem.TooManyRequests"));
            };
        });

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
