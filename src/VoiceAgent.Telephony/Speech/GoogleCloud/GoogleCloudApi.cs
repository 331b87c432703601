using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>
/// The typed HTTP client both Google Cloud speech APIs share: a JSON POST with the service account's Bearer token, one
/// budget (<see cref="GoogleCloudOptions.Timeout"/> on the injected <see cref="TimeProvider"/>) over token fetch, request
/// and the single retry (429/5xx, Microsoft.Extensions.Http.Resilience). Google's error body
/// <c>{"error":{"code","message","status"}}</c> becomes a <see cref="PortException"/> naming the HTTP status and Google's
/// status word; the call layer decides what the caller hears.
/// </summary>
public sealed class GoogleCloudApi(HttpClient http, IOptions<GoogleCloudOptions> options, TimeProvider time)
{
    private const int MaxMessage = 200;

    public GoogleCloudOptions Options => options.Value;

    /// <param name="api">Names the API in errors: "speech recognition", "speech synthesis".</param>
    /// <exception cref="PortException">The token or the request failed, or no answer came within the budget.</exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="ct"/> was cancelled.</exception>
    public async Task<JsonNode> PostAsync(Uri url, JsonNode body, GoogleServiceAccount account, string api, CancellationToken ct)
    {
        var timeout = options.Value.Timeout;
        using var budget = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        try
        {
            var token = await account.AccessTokenAsync(linked.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, linked.Token);
            var text = await response.Content.ReadAsStringAsync(linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new PortException($"Google Cloud {api} ({account.ClientEmail}) failed with HTTP {(int)response.StatusCode}{Describe(text)}.");
            }

            return JsonNode.Parse(text) ?? throw new PortException($"Google Cloud {api} ({account.ClientEmail}) returned an empty body.");
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PortException($"Google Cloud {api} ({account.ClientEmail}) gave no answer within {timeout.TotalMilliseconds} ms.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PortException($"Google Cloud {api} ({account.ClientEmail}) is unreachable ({ex.HttpRequestError}).", ex);
        }
        catch (JsonException ex)
        {
            throw new PortException($"Google Cloud {api} ({account.ClientEmail}) returned an unreadable response.", ex);
        }
    }

    /// <summary>", UNAUTHENTICATED: Request had invalid authentication credentials." from Google's error body, if any.</summary>
    private static string Describe(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"] is JsonObject error)
            {
                var status = (string?)error["status"];
                var message = ((string?)error["message"])?.ReplaceLineEndings(" ");
                message = message is { Length: > MaxMessage } ? message[..MaxMessage] + "…" : message;
                return $", {status ?? "no status"}: {message}";
            }
        }
        catch (JsonException)
        {
            // A proxy's error page: the HTTP status says enough.
        }

        return "";
    }

    /// <summary>Registers the client with its single retry (after Retry-After when it names a short one, else the
    /// configured delay; a long Retry-After is not waited for).</summary>
    internal static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GoogleCloudOptions>().Bind(configuration.GetSection(GoogleCloudOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GoogleServiceAccounts>();
        services.AddHttpClient<GoogleCloudApi>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("googlecloud", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<GoogleCloudOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 1,
                    BackoffType = DelayBackoffType.Constant,
                    UseJitter = false,
                    Delay = o.RetryDelay,
                    ShouldRetryAfterHeader = false, // read below, with the cap
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } response && IsTransient(response.StatusCode)
                        && !(response.Headers.RetryAfter?.Delta > o.MaxRetryAfter)),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result?.Headers.RetryAfter?.Delta ?? o.RetryDelay),
                });
            });
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;
}
