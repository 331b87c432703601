using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace VoiceAgent.Platform.Http;

/// <summary>Our own reverse proxies (section <c>ForwardedHeaders</c>): only their X-Forwarded-For/-Proto count.</summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>ForwardedHeaders:KnownProxies:0=127.0.0.1</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>ForwardedHeaders:KnownNetworks:0=10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are applied only when the peer is a configured proxy (issue #16). ASP.NET
/// trusts loopback by default; that default is cleared, so with nothing configured every forwarded header is ignored
/// and the connection's own address is the client. The chain is read from the right and stops at the first address
/// that is not a configured proxy: entries a client wrote itself never count. Afterwards
/// <c>HttpContext.Connection.RemoteIpAddress</c> is the client for rate limits and the sipgate source check, and
/// <c>Request.Scheme</c> is the scheme the client used (Twilio signs the https URL it called). X-Forwarded-Host is not
/// used: the proxy passes the Host header on (nginx <c>proxy_set_header Host $host</c>), and a forwarded host would
/// let anyone behind the proxy choose the host the app builds links and signature URLs from.
/// </summary>
public static class TrustedProxies
{
    public static void AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var configured = new TrustedProxyOptions();
        builder.Configuration.GetSection(TrustedProxyOptions.Section).Bind(configured);
        var proxies = configured.KnownProxies.Select(p => IPAddress.TryParse(p.Trim(), out var address)
            ? Normalize(address)
            : throw new InvalidOperationException($"{TrustedProxyOptions.Section}:KnownProxies: '{p}' is not an IP address.")).ToList();
        var networks = configured.KnownNetworks.Select(n => System.Net.IPNetwork.TryParse(n.Trim(), out var network)
            ? network
            : throw new InvalidOperationException($"{TrustedProxyOptions.Section}:KnownNetworks: '{n}' is not a CIDR range.")).ToList();

        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // With both lists empty the middleware would trust every peer: nothing configured means nothing forwarded.
            o.ForwardedHeaders = proxies.Count + networks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
                // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
                if (proxy.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    o.KnownProxies.Add(proxy.MapToIPv6());
                }
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }

            // Every hop from the right that is one of ours is unwrapped; the first that is not ends the chain.
            o.ForwardLimit = null;
        });
    }

    public static void UseTrustedProxies(this WebApplication app) => app.UseForwardedHeaders();

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>The request edge in one place (issue #16): trusted proxies, then security headers and the cookie policy.</summary>
public static class HttpHardening
{
    public static void AddHttpHardening(this WebApplicationBuilder builder)
    {
        builder.AddTrustedProxies();
        builder.AddSecurityHeaders();
    }

    /// <summary>First in the pipeline: everything after it sees the real client and every response gets the headers.</summary>
    public static void UseHttpHardening(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseSecurityHeaders();
    }
}
