using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// The edge proxy's plumbing in front of three small echo apps (what a later issue runs as three app instances):
/// sticky sessions, the headers the app gets, the body limit, server tokens and the WebSocket upgrade for media streams.
/// </summary>
public sealed class EdgeProxyTests : IAsyncLifetime
{
    private readonly List<WebApplication> apps = [];
    private NginxProxy proxy = null!;
    private int appRequests;

    public async Task InitializeAsync()
    {
        var upstreams = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var instance = i;
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Use((context, next) =>
            {
                Interlocked.Increment(ref appRequests);
                return next(context);
            });
            app.UseWebSockets();
            app.MapGet("/echo", (HttpRequest request) => Results.Json(new Dictionary<string, string>
            {
                ["instance"] = instance.ToString(CultureInfo.InvariantCulture),
                ["forwardedFor"] = request.Headers["X-Forwarded-For"].ToString(),
                ["forwardedProto"] = request.Headers["X-Forwarded-Proto"].ToString(),
                ["forwardedHost"] = request.Headers["X-Forwarded-Host"].ToString(),
                ["host"] = request.Headers.Host.ToString(),
                ["requestId"] = request.Headers["X-Request-Id"].ToString(),
            }));
            app.MapGet("/metrics", () => Results.Text("voiceagent_calls_active 1\n"));
            app.MapPost("/upload", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                return Results.Text(body.Length.ToString(CultureInfo.InvariantCulture));
            });
            app.Map("/telephony/media", async (HttpContext context) =>
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = 400;
                    return;
                }

                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[4096];
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            });
            await app.StartAsync();
            apps.Add(app);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            upstreams.Add(new Uri(address).Authority);
        }

        proxy = await NginxProxy.StartAsync(upstreams);
    }

    public async Task DisposeAsync()
    {
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }

        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_browser_keeps_its_instance_through_the_affinity_cookie_and_browsers_spread_over_instances()
    {
        using var browser = proxy.Client();
        var first = await browser.GetAsync("/echo");
        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^va_affinity=[0-9a-f]{32}; Path=/; Secure; HttpOnly; SameSite=Lax$", setCookie);
        var instance = (await first.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["instance"];

        for (var i = 0; i < 15; i++)
        {
            var again = await browser.GetAsync("/echo");
            Assert.False(again.Headers.Contains("Set-Cookie"));
            Assert.Equal(instance, (await again.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["instance"]);
        }

        var seen = new HashSet<string>();
        for (var i = 0; i < 30; i++)
        {
            using var other = proxy.Client();
            seen.Add((await other.GetFromJsonAsync<Dictionary<string, string>>("/echo"))!["instance"]);
        }

        Assert.True(seen.Count > 1, "30 new browsers all landed on one instance");
    }

    [Fact]
    public async Task The_app_gets_the_peer_address_https_and_the_host_and_no_client_claims()
    {
        using var client = proxy.Client();
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Proto", "http");
        var response = await client.SendAsync(request);
        var seen = (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!;

        Assert.Equal("127.0.0.1", seen["forwardedFor"]);
        Assert.Equal("https", seen["forwardedProto"]);
        Assert.Equal($"localhost:{proxy.Port}", seen["host"]);
        Assert.Equal($"localhost:{proxy.Port}", seen["forwardedHost"]);
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), seen["requestId"]);
        Assert.Equal("nginx", response.Headers.Server.ToString());
    }

    [Fact]
    public async Task The_metrics_path_is_refused_and_never_reaches_an_app()
    {
        using var client = proxy.Client();
        var before = Volatile.Read(ref appRequests);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/metrics/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/metrics?format=openmetrics")).StatusCode);
        Assert.Equal(before, Volatile.Read(ref appRequests));
    }

    [Fact]
    public async Task Bodies_up_to_one_MiB_pass_and_larger_ones_are_refused_with_413()
    {
        using var client = proxy.Client();
        var fits = await client.PostAsync("/upload", new StringContent(new string('a', 1024 * 1024 - 100), Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal((1024 * 1024 - 100).ToString(CultureInfo.InvariantCulture), await fits.Content.ReadAsStringAsync());

        var tooLarge = await client.PostAsync("/upload", new StringContent(new string('a', 1024 * 1024 + 1), Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task A_media_stream_WebSocket_is_upgraded_through_the_proxy()
    {
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await socket.ConnectAsync(new Uri($"wss://localhost:{proxy.Port}/telephony/media"), CancellationToken.None);
        var message = JsonSerializer.SerializeToUtf8Bytes(new { @event = "connected", protocol = "Call" });
        await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(message, buffer[..received.Count]);
    }

    /// <summary>
    /// Request smuggling and desync shapes (Content-Length with Transfer-Encoding, two lengths, odd chunking, folded or
    /// broken headers) never reach an app: nginx refuses them itself while parsing, before the WAF (so they are not in
    /// the ModSecurity audit log, only in nginx's error/access log). HTTP/0.9 gets the WAF's 403 page without a status line.
    /// </summary>
    [Fact]
    public async Task Smuggling_shapes_and_malformed_requests_are_refused_before_any_app_sees_them()
    {
        var host = $"Host: localhost:{proxy.Port}\r\n";
        (string Name, string Raw, int[] Refused)[] cases =
        [
            ("Content-Length and Transfer-Encoding", $"POST /echo HTTP/1.1\r\n{host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
            ("two Content-Lengths", $"POST /echo HTTP/1.1\r\n{host}Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", [400]),
            ("Content-Length not a number", $"POST /echo HTTP/1.1\r\n{host}Content-Length: 4x\r\n\r\nabcd", [400]),
            ("negative Content-Length", $"POST /echo HTTP/1.1\r\n{host}Content-Length: -1\r\n\r\n", [400]),
            ("Transfer-Encoding gzip, chunked", $"POST /echo HTTP/1.1\r\n{host}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", [501]),
            ("Transfer-Encoding xchunked", $"POST /echo HTTP/1.1\r\n{host}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", [501]),
            ("Transfer-Encoding with a space before the colon", $"POST /echo HTTP/1.1\r\n{host}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", [400]),
            ("invalid chunk size", $"POST /echo HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", [400]),
            ("folded header line", $"GET /echo HTTP/1.1\r\n{host}X-Test: a\r\n b\r\n\r\n", [400]),
            ("two Host headers", $"GET /echo HTTP/1.1\r\n{host}{host}\r\n", [400]),
            ("no Host header", "GET /echo HTTP/1.1\r\n\r\n", [400]),
            ("unknown HTTP version", $"GET /echo HTTP/9.9\r\n{host}\r\n", [505]),
            ("space in the path", $"GET /a b HTTP/1.1\r\n{host}\r\n", [400]),
            ("path above the root", $"GET /../../etc/passwd HTTP/1.1\r\n{host}\r\n", [400]),
            ("encoded path above the root", $"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n{host}\r\n", [400]),
            ("TRACE", $"TRACE /echo HTTP/1.1\r\n{host}\r\n", [405]),
            ("CONNECT", $"CONNECT evil.example:443 HTTP/1.1\r\n{host}\r\n", [400]),
            ("lower-case method", $"get /echo HTTP/1.1\r\n{host}\r\n", [400]),
            ("NUL in a header", $"GET /echo HTTP/1.1\r\n{host}X-A: a\0b\r\n\r\n", [400]),
            ("bare CR in a header (response splitting)", $"GET /echo HTTP/1.1\r\n{host}X-A: a\rSet-Cookie: x=1\r\n\r\n", [400]),
            ("20 kB header", $"GET /echo HTTP/1.1\r\n{host}X-A: {new string('a', 20_000)}\r\n\r\n", [400]),
            ("HTTP/0.9", "GET /echo\r\n\r\n", [0]),
        ];

        var wrong = new List<string>();
        foreach (var (name, raw, refused) in cases)
        {
            var (status, _) = await proxy.SendRawAsync(Encoding.Latin1.GetBytes(raw));
            if (!refused.Contains(status))
            {
                wrong.Add($"{name}: {status}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(0, Volatile.Read(ref appRequests));

        // The proxy itself still works.
        using var client = proxy.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/echo")).StatusCode);
        Assert.Equal(1, Volatile.Read(ref appRequests));
    }
}
