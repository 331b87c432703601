using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// An in-process Kestrel server on 127.0.0.1 (random port) with two WebSocket endpoints: <c>/echo</c>, a bare echo (the
/// baseline), and <c>/agent</c>, the realtime call path's per-frame work and paced sending (<see cref="AgentStream"/>).
/// </summary>
internal sealed class MediaStreamServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private MediaStreamServer(WebApplication app, Uri origin, StreamServerCounters counters)
    {
        this.app = app;
        Counters = counters;
        Echo = new Uri(origin, "/echo");
        Agent = new Uri(origin, "/agent");
    }

    public Uri Echo { get; }

    public Uri Agent { get; }

    public StreamServerCounters Counters { get; }

    public static async Task<MediaStreamServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var counters = new StreamServerCounters();
        app.UseWebSockets();
        app.Map("/echo", context => EchoAsync(context, counters));
        app.Map("/agent", context => AgentAsync(context, counters));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new MediaStreamServer(app, new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal)), counters);
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
    }

    private static async Task EchoAsync(HttpContext context, StreamServerCounters counters)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[8 * 1024];
        var ct = context.RequestAborted;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            counters.Dropped(ex);
        }
    }

    private static async Task AgentAsync(HttpContext context, StreamServerCounters counters)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await new AgentStream(socket, counters).RunAsync(context.RequestAborted);
    }
}
