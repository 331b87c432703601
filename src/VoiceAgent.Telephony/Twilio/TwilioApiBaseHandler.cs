using Microsoft.Extensions.Options;

namespace VoiceAgent.Telephony.Twilio;

/// <summary>
/// The SDK always calls https://api.twilio.com; this handler sends those requests to <see cref="TwilioOptions.ApiBaseUrl"/>
/// instead (a path prefix is kept), so tests and staging reach a fake through the app's own HttpClient.
/// </summary>
public sealed class TwilioApiBaseHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    private const string TwilioHost = "api.twilio.com";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = options.Value.ApiBaseUrl;
        if (request.RequestUri is { } uri && uri.Host.Equals(TwilioHost, StringComparison.OrdinalIgnoreCase)
            && !(target.Host.Equals(TwilioHost, StringComparison.OrdinalIgnoreCase) && target.AbsolutePath == "/"))
        {
            request.RequestUri = new Uri(target.AbsoluteUri.TrimEnd('/') + uri.PathAndQuery);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
