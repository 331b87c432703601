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
}
