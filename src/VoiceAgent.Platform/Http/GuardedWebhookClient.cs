using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Calls tenant webhooks over https only and never into our own network: the address is checked when the socket
/// connects (after DNS, <see cref="NetworkGuard"/>), so a name that resolves to a private or loopback address is refused;
/// redirects are followed only to https targets the guard allows (at most three hops), and the answer is read up to
/// <see cref="LimitedBody.JsonBytes"/> (a larger body is reported as a failure, never read into memory).
/// </summary>
public sealed class GuardedWebhookClient(HttpClient http) : IWebhookClient
{
    public async ValueTask<WebhookResponse> PostJsonAsync(Uri url, JsonNode payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (url.Scheme != Uri.UriSchemeHttps)
        {
            throw new PortException("Only https webhooks are allowed.");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(payload) };
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        }
        catch (HttpRequestException ex) when (NetworkGuard.Refusal(ex) is { } refused)
        {
            throw new PortException($"Webhook refused: {refused.Message}");
        }

        using var _ = response;
        JsonNode? body = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                body = JsonNode.Parse(await LimitedBody.ReadBytesAsync(response.Content, LimitedBody.JsonBytes, cts.Token));
            }
            catch (JsonException)
            {
                body = null;
            }
            catch (ResponseTooLargeException ex)
            {
                throw new PortException($"Webhook answer refused: {ex.Message}");
            }
        }

        return new WebhookResponse((int)response.StatusCode, body);
    }

    /// <summary>The guarded socket handler (<see cref="NetworkGuard.CreateHandler"/>); redirects are followed by
    /// <see cref="GuardedRedirectHandler"/> in front of it, https only.</summary>
    public static SocketsHttpHandler CreateHandler() => NetworkGuard.CreateHandler();
}
