using System.Net;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Follows redirects itself instead of the socket handler, each target checked by <see cref="NetworkGuard.CheckUrl"/>
/// before it is requested (and again after DNS by the guarded connect): at most <see cref="MaxHops"/> hops, never from
/// https to http, https only when <see cref="RequireHttps"/>. Credentials (Authorization) go only to the origin they were
/// meant for. 303 (and 301/302 after a POST) continue as GET without a body, like browsers; 307/308 keep method and body.
/// </summary>
/// <param name="checkAddresses">False only where tests talk to local servers (e.g. <c>Calendars:AllowLocalCalDavServers</c>):
/// hops and the https downgrade are still checked, the target's address is not.</param>
public sealed class GuardedRedirectHandler(bool requireHttps, int maxHops = GuardedRedirectHandler.DefaultMaxHops, bool checkAddresses = true)
    : DelegatingHandler
{
    public const int DefaultMaxHops = 3;

    public bool RequireHttps => requireHttps;

    public int MaxHops => maxHops;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var current = request;
        for (var hop = 0; ; hop++)
        {
            var response = await base.SendAsync(current, cancellationToken);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (hop >= maxHops)
            {
                throw new RefusedAddressException($"More than {maxHops} redirects.");
            }

            var target = location.IsAbsoluteUri ? location : new Uri(current.RequestUri!, location);
            if (current.RequestUri!.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps)
            {
                throw new RefusedAddressException("Redirect from https to http refused.");
            }

            if ((checkAddresses ? NetworkGuard.CheckUrl(target, requireHttps) : SchemeCheck(target)) is { } refused)
            {
                throw new RefusedAddressException($"Redirect refused: {refused}.");
            }

            current = Follow(current, target, response.StatusCode);
        }
    }

    private string? SchemeCheck(Uri target) =>
        target.Scheme != Uri.UriSchemeHttps && (requireHttps || target.Scheme != Uri.UriSchemeHttp) ? "https required" : null;

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static HttpRequestMessage Follow(HttpRequestMessage from, Uri target, HttpStatusCode status)
    {
        var asGet = status == HttpStatusCode.SeeOther && from.Method != HttpMethod.Head
                    || status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found && from.Method == HttpMethod.Post;
        var next = new HttpRequestMessage(asGet ? HttpMethod.Get : from.Method, target)
        {
            Version = from.Version,
            VersionPolicy = from.VersionPolicy,
            Content = asGet ? null : from.Content,
        };
        var sameOrigin = Uri.Compare(from.RequestUri, target, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (var header in from.Headers)
        {
            if (!sameOrigin && (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                                || header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in from.Options)
        {
            ((IDictionary<string, object?>)next.Options)[option.Key] = option.Value;
        }

        return next;
    }
}
