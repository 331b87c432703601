using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.TwiML;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// Minimal Kestrel endpoints on 127.0.0.1 for the inbound-call webhook, checking X-Twilio-Signature the way
/// <c>TwilioWebhooks.VerifySignatureAsync</c> does (form read, URL = origin + raw target, every form value, the real
/// <see cref="TwilioSignature"/>), with the auth token a constant instead of a database setting:
/// <c>/check/voice</c> answers an empty 200 after the check (the baseline), <c>/twiml/voice</c> answers the greeting as a
/// TwiML Gather built by the SDK's <c>VoiceResponse</c> with our <see cref="Twiml"/> conventions.
/// </summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    public const string AuthToken = "0123456789abcdef0123456789abcdef";
    public const string Greeting = "Guten Tag, Sie sind verbunden mit Praxis Alpha. Wie kann ich Ihnen helfen?";

    private readonly WebApplication app;

    private WebhookServer(WebApplication app, Uri origin)
    {
        this.app = app;
        Origin = origin;
    }

    public Uri Origin { get; }

    public static async Task<WebhookServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/check/voice", CheckOnly);
        app.MapPost("/twiml/voice", Greet);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new WebhookServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await app.StopAsync(timeout.Token);
        }

        await app.DisposeAsync();
    }

    private static async Task<IResult> CheckOnly(HttpRequest request) =>
        await IsSignedAsync(request) ? TypedResults.Ok() : TypedResults.StatusCode(StatusCodes.Status403Forbidden);

    private static async Task<IResult> Greet(HttpRequest request)
    {
        if (!await IsSignedAsync(request))
        {
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }

        var twiml = new VoiceResponse().GatherSpeech(action: RequestOrigin(request) + "/twiml/gather", says: [Greeting], timeoutSeconds: 6);
        return TypedResults.Text(twiml.ToXml(), "text/xml; charset=utf-8");
    }

    private static async Task<bool> IsSignedAsync(HttpRequest request)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(request.HttpContext.RequestAborted) : null;
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var url = RequestOrigin(request) + (string.IsNullOrEmpty(raw) || !raw.StartsWith('/') ? request.Path + request.QueryString : raw);
        var parameters = form?.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))) ?? [];
        return form is not null && TwilioSignature.IsValid(AuthToken, url, parameters, request.Headers["X-Twilio-Signature"]);
    }

    private static string RequestOrigin(HttpRequest request) => $"{request.Scheme}://{request.Host}";
}
