using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using NodaTime;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Calendars;

/// <summary>
/// CalDAV (RFC 4791) with Basic authentication: discovery (calendar collection, or principal → calendar-home-set →
/// calendars), calendar-query REPORTs with a time range (availability and the caller's appointments, recurrences
/// expanded here with Ical.Net because servers such as Radicale do not expand), PUT with <c>If-None-Match: *</c> for
/// idempotent creation (the UID names the resource; 412 = created before) and DELETE. Event ids are the resources' URLs.
/// </summary>
public sealed class CalDavClient(HttpClient http, TimeProvider time) : ICalendarProvider
{
    private static readonly XNamespace Dav = "DAV:";
    private static readonly XNamespace CalDav = "urn:ietf:params:xml:ns:caldav";

    public string Provider => CalendarProviders.CalDav;

    /// <summary>The calendars reachable from the URL with these credentials (the URL itself when it is one).</summary>
    /// <exception cref="CalendarAuthorizationException">The server refused the user name or password.</exception>
    public async Task<IReadOnlyList<CalendarInfo>> DiscoverAsync(Uri url, string user, string password, CalendarBudget budget, CancellationToken ct)
    {
        var self = await PropFindAsync(url, 0, user, password, budget, ct,
            Dav + "resourcetype", Dav + "displayname", Dav + "current-user-principal", CalDav + "calendar-home-set");
        var own = self.FirstOrDefault();
        if (own is not null && IsCalendar(own.Props))
        {
            return [new CalendarInfo(own.Href.ToString(), DisplayName(own), true)];
        }

        var home = HrefIn(own?.Props, CalDav + "calendar-home-set", url);
        if (home is null && HrefIn(own?.Props, Dav + "current-user-principal", url) is { } principal)
        {
            var principalProps = await PropFindAsync(principal, 0, user, password, budget, ct, CalDav + "calendar-home-set");
            home = HrefIn(principalProps.FirstOrDefault()?.Props, CalDav + "calendar-home-set", principal);
        }

        var collections = await PropFindAsync(home ?? url, 1, user, password, budget, ct,
            Dav + "resourcetype", Dav + "displayname", CalDav + "supported-calendar-component-set");
        return collections.Where(c => IsCalendar(c.Props) && SupportsEvents(c.Props))
            .Select((c, i) => new CalendarInfo(c.Href.ToString(), DisplayName(c), i == 0)).ToList();
    }

    public async Task<IReadOnlyList<CalendarInfo>> CalendarsAsync(CalendarSession session, CancellationToken ct) =>
        await DiscoverAsync(new Uri(session.Connection.ServerUrl!), session.Connection.Account, await session.SecretAsync(false, ct), session.Budget, ct);

    public async Task<IReadOnlyList<(Instant Start, Instant End)>> BusyAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct) =>
        (await OccurrencesAsync(session, from, to, ct))
        .Where(o => !o.Occurrence.Cancelled && !o.Occurrence.Transparent)
        .Select(o => (o.Occurrence.Start, o.Occurrence.End)).ToList();

    public async Task<ProviderEvent> CreateAsync(CalendarSession session, NewCalendarEvent e, CancellationToken ct)
    {
        var href = new Uri(Collection(session), Uri.EscapeDataString(e.ExternalId) + ".ics");
        var body = ICalendarText.Write(e, Instant.FromDateTimeOffset(time.GetUtcNow()));
        using var response = await SendAsync(session, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, href) { Content = new StringContent(body, Encoding.UTF8, "text/calendar") };
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
            return request;
        }, ct);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            // Created by an earlier attempt whose answer was lost.
            return await GetAsync(session, href.ToString(), ct)
                   ?? throw new CalendarProviderException(HttpStatusCode.PreconditionFailed, "The event exists but cannot be read.");
        }

        await EnsureSuccessAsync(response);
        return new ProviderEvent(href.ToString(), e.Start, e.End, e.Title, string.Join('\n', e.Title, e.Description, e.CallerNumber), e.ExternalId);
    }

    public async Task<IReadOnlyList<ProviderEvent>> EventsAsync(CalendarSession session, Instant from, Instant to, string? search, CancellationToken ct) =>
        (await OccurrencesAsync(session, from, to, ct))
        .Where(o => !o.Occurrence.Cancelled)
        .Select(o => ToEvent(o.Href, o.Occurrence))
        .Where(e => string.IsNullOrEmpty(search) || e.Text.Contains(search, StringComparison.OrdinalIgnoreCase))
        .OrderBy(e => e.Start).ToList();

    public async Task<ProviderEvent?> GetAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        if (!TryResource(session, eventId, out var href))
        {
            return null;
        }

        using var response = await SendAsync(session, () => new HttpRequestMessage(HttpMethod.Get, href), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        await EnsureSuccessAsync(response);
        var master = ICalendarText.Master(await response.Content.ReadAsStringAsync(ct), session.Zone);
        return master is null || master.Cancelled ? null : ToEvent(href, master);
    }

    public async Task<bool> DeleteAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        // An occurrence of a series ("…ics#20261124T100000Z") is never deleted: that would remove the whole series.
        if (eventId.Contains('#', StringComparison.Ordinal) || !TryResource(session, eventId, out var href))
        {
            return false;
        }

        using var response = await SendAsync(session, () => new HttpRequestMessage(HttpMethod.Delete, href), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return false;
        }

        await EnsureSuccessAsync(response);
        return true;
    }

    private async Task<List<(Uri Href, ICalendarText.Occurrence Occurrence)>> OccurrencesAsync(CalendarSession session, Instant from, Instant to,
        CancellationToken ct)
    {
        var query = new XDocument(new XElement(CalDav + "calendar-query",
            new XAttribute(XNamespace.Xmlns + "D", Dav), new XAttribute(XNamespace.Xmlns + "C", CalDav),
            new XElement(Dav + "prop", new XElement(Dav + "getetag"), new XElement(CalDav + "calendar-data")),
            new XElement(CalDav + "filter",
                new XElement(CalDav + "comp-filter", new XAttribute("name", "VCALENDAR"),
                    new XElement(CalDav + "comp-filter", new XAttribute("name", "VEVENT"),
                        new XElement(CalDav + "time-range", new XAttribute("start", Basic(from)), new XAttribute("end", Basic(to))))))));
        var collection = Collection(session);
        using var response = await SendAsync(session, () => Report(collection, query), ct);
        await EnsureSuccessAsync(response);
        var result = new List<(Uri, ICalendarText.Occurrence)>();
        foreach (var item in ParseMultistatus(await response.Content.ReadAsStringAsync(ct), collection))
        {
            var data = item.Props.Element(CalDav + "calendar-data")?.Value;
            if (string.IsNullOrEmpty(data))
            {
                continue;
            }

            foreach (var occurrence in ICalendarText.Occurrences(data, session.Zone, from, to))
            {
                var href = occurrence.Recurring
                    ? new Uri(item.Href + "#" + Basic(occurrence.Start))
                    : item.Href;
                result.Add((href, occurrence));
            }
        }

        return result;
    }

    private static ProviderEvent ToEvent(Uri href, ICalendarText.Occurrence o) =>
        new(href.ToString(), o.Start, o.End, o.Summary, string.Join('\n', new[] { o.Summary, o.Description, o.Caller }.Where(s => !string.IsNullOrEmpty(s))),
            o.Uid);

    private async Task<HttpResponseMessage> SendAsync(CalendarSession session, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        var password = await session.SecretAsync(false, ct);
        var response = await CalendarHttp.SendAsync(http, WithCredentials(build(), session.Connection.Account, password), session.Budget, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new CalendarAuthorizationException("The CalDAV server refused the user name or password.");
        }

        return response;
    }

    private async Task<List<DavResource>> PropFindAsync(Uri url, int depth, string user, string password, CalendarBudget budget,
        CancellationToken ct, params XName[] props)
    {
        var body = new XDocument(new XElement(Dav + "propfind",
            new XAttribute(XNamespace.Xmlns + "D", Dav), new XAttribute(XNamespace.Xmlns + "C", CalDav),
            new XElement(Dav + "prop", props.Select(p => new XElement(p)))));
        var request = new HttpRequestMessage(new HttpMethod("PROPFIND"), url) { Content = XmlContent(body) };
        request.Headers.Add("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await CalendarHttp.SendAsync(http, WithCredentials(request, user, password), budget, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new CalendarAuthorizationException("The CalDAV server refused the user name or password.");
        }

        if (response.StatusCode != HttpStatusCode.MultiStatus)
        {
            throw new CalendarProviderException(response.StatusCode, $"PROPFIND {url} answered {(int)response.StatusCode}, not 207 Multi-Status.");
        }

        return ParseMultistatus(await response.Content.ReadAsStringAsync(ct), url);
    }

    private static List<DavResource> ParseMultistatus(string xml, Uri baseUri)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml);
        }
        catch (System.Xml.XmlException ex)
        {
            throw new CalendarProviderException(HttpStatusCode.BadGateway, "The server did not answer WebDAV XML: " + ex.Message);
        }

        var result = new List<DavResource>();
        foreach (var response in doc.Descendants(Dav + "response"))
        {
            var href = response.Element(Dav + "href")?.Value.Trim();
            if (string.IsNullOrEmpty(href))
            {
                continue;
            }

            // Only the properties the server found (status 200) count.
            var props = new XElement(Dav + "prop");
            foreach (var propstat in response.Elements(Dav + "propstat"))
            {
                var status = propstat.Element(Dav + "status")?.Value ?? "";
                if (status.Contains(" 200 ", StringComparison.Ordinal) && propstat.Element(Dav + "prop") is { } found)
                {
                    props.Add(found.Elements());
                }
            }

            result.Add(new DavResource(Checked(baseUri, href), props));
        }

        return result;
    }

    private static bool IsCalendar(XElement props) => props.Element(Dav + "resourcetype")?.Element(CalDav + "calendar") is not null;

    private static bool SupportsEvents(XElement props) =>
        props.Element(CalDav + "supported-calendar-component-set") is not { } set
        || set.Elements(CalDav + "comp").Any(c => (string?)c.Attribute("name") == "VEVENT");

    private static string DisplayName(DavResource item)
    {
        var name = item.Props.Element(Dav + "displayname")?.Value;
        return string.IsNullOrWhiteSpace(name) ? Uri.UnescapeDataString(item.Href.AbsolutePath.TrimEnd('/').Split('/')[^1]) : name.Trim();
    }

    private static Uri? HrefIn(XElement? props, XName name, Uri baseUri) =>
        props?.Element(name)?.Element(Dav + "href")?.Value.Trim() is { Length: > 0 } href ? Checked(baseUri, href) : null;

    /// <summary>
    /// An href the server returned, resolved against the URL it answered for. Same origin is fine (the tenant chose that
    /// server); another origin must be https and not a non-public address literal (<see cref="NetworkGuard.CheckUrl"/>; names
    /// are checked again after DNS when connecting). Otherwise the whole answer is refused: a server must not steer us
    /// into our own network, neither now (discovery) nor later (the stored calendar URL).
    /// </summary>
    internal static Uri Checked(Uri baseUri, string href)
    {
        if (!Uri.TryCreate(baseUri, href, out var url))
        {
            throw new CalendarProviderException(HttpStatusCode.BadGateway, "The server returned an href that is not a URL.");
        }

        var sameOrigin = Uri.Compare(baseUri, url, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        if (!sameOrigin && NetworkGuard.CheckUrl(url, requireHttps: true) is { } refused)
        {
            throw new CalendarProviderException(HttpStatusCode.BadGateway, $"The server returned an href to {url.Host} that is refused: {refused}.",
                CalendarRefusal.Address);
        }

        return url;
    }

    private static Uri Collection(CalendarSession session)
    {
        var url = session.CalendarId.EndsWith('/') ? session.CalendarId : session.CalendarId + "/";
        return new Uri(url);
    }

    // Event ids are resource URLs; only resources inside the chosen calendar may be read or deleted.
    private static bool TryResource(CalendarSession session, string eventId, out Uri href)
    {
        var collection = Collection(session);
        if (Uri.TryCreate(eventId, UriKind.Absolute, out var parsed) && collection.IsBaseOf(parsed) && parsed != collection)
        {
            href = parsed;
            return true;
        }

        href = collection;
        return false;
    }

    private static HttpRequestMessage Report(Uri collection, XDocument query)
    {
        var request = new HttpRequestMessage(new HttpMethod("REPORT"), collection) { Content = XmlContent(query) };
        request.Headers.Add("Depth", "1");
        return request;
    }

    private static StringContent XmlContent(XDocument doc)
    {
        var content = new StringContent(doc.Declaration + doc.ToString(SaveOptions.DisableFormatting), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        return content;
    }

    private static HttpRequestMessage WithCredentials(HttpRequestMessage request, string user, string password)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return request;
    }

    private static Task EnsureSuccessAsync(HttpResponseMessage response) =>
        response.IsSuccessStatusCode
            ? Task.CompletedTask
            : throw new CalendarProviderException(response.StatusCode, $"The CalDAV server answered {(int)response.StatusCode} {response.ReasonPhrase}.");

    private static string Basic(Instant instant) => NodaTime.Text.InstantPattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss'Z'").Format(instant);
}

/// <summary>One response of a WebDAV multistatus: the resource URL and the properties the server found.</summary>
internal sealed record DavResource(Uri Href, XElement Props);
