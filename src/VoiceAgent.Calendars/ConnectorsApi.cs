using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using VoiceAgent.Calendars;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Calendars;

/// <summary>
/// Calendar connectors (Google, Microsoft 365, CalDAV; CRM connectors listed as coming soon): list, OAuth start and
/// callback, CalDAV connect, choosing the calendar calls book into, disconnect, booking rules and recent bookings.
/// </summary>
public static class ConnectorsApi
{
    public const string CallbackPath = "/oauth/callback";

    public sealed record CalDavRequest(string? Url, string? Username, string? Password);

    public sealed record SelectCalendarRequest(string? CalendarId);

    public sealed record BookingDto(Guid Id, string Provider, string Status, DateTimeOffset Start, DateTimeOffset End, string Title, string? CallerNumber,
        string? CallerName, bool Deferred, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
    {
        public static BookingDto From(CalendarBooking b) => new(b.Id, b.Provider, b.Status, b.StartAt, b.EndAt, b.Title, b.CallerNumber, b.CallerName,
            b.Deferred, b.Attempts, b.LastError, b.CreatedAt, b.CompletedAt);
    }

    public static void MapConnectorsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant").WithTags("Connectors")
            .RequireAuthorization(PortalSecurity.TenantMemberPolicy).WithMetadata(new RequiresApprovedTenantAttribute())
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        group.MapGet("/connectors", List).WithName("ListConnectors");
        group.MapGet("/connectors/{provider}/authorize", Authorize).WithName("AuthorizeConnector")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy).RequireOAuthRateLimit();
        group.MapGet("/connectors/{provider}/calendars", Calendars).WithName("ListConnectorCalendars");
        group.MapPut("/connectors/{provider}/calendar", SelectCalendar).WithName("SelectConnectorCalendar")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapPost("/connectors/caldav", ConnectCalDav).WithName("ConnectCalDav").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapDelete("/connectors/{provider}", Disconnect).WithName("DisconnectConnector").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapGet("/calendar-settings", GetRules).WithName("GetCalendarSettings");
        group.MapPut("/calendar-settings", PutRules).WithName("PutCalendarSettings").RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapGet("/calendar-bookings", Bookings).WithName("ListCalendarBookings");

        routes.MapGet(CallbackPath + "/{provider}", Callback).WithName("OAuthCallback").WithTags("Connectors")
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy).WithMetadata(new RequiresApprovedTenantAttribute())
            .RequireOAuthRateLimit();
    }

    internal static async Task<Ok<IReadOnlyList<ConnectorView>>> List([AsParameters] ConnectorsApiServices services, CancellationToken ct) =>
        TypedResults.Ok(await services.Connectors.ListAsync(ct));

    internal static async Task<Results<RedirectHttpResult, ProblemHttpResult, ValidationProblem>> Authorize(string provider, HttpContext http,
        ClaimsPrincipal user, [AsParameters] ConnectorsApiServices services, CancellationToken ct)
    {
        var outcome = await services.OAuth.StartAsync(user.TenantId()!.Value, user.UserId()!.Value, provider,
            RedirectUri(http, services.Options.Value, provider), ct);
        return outcome.ToResults(uri => TypedResults.Redirect(uri.ToString()));
    }

    internal static async Task<Results<RedirectHttpResult, ContentHttpResult, ProblemHttpResult>> Callback(string provider, string? code,
        string? state, string? error, HttpContext http, ClaimsPrincipal user, [AsParameters] ConnectorsApiServices services, CancellationToken ct)
    {
        var outcome = await services.OAuth.CompleteAsync(user.TenantId()!.Value, user.UserId()!.Value, user.Actor(), provider, code, state, error,
            ct);
        if (outcome.Kind == OutcomeKind.Ok)
        {
            return TypedResults.Redirect($"/app/connectors?connected={Uri.EscapeDataString(provider)}");
        }

        var message = outcome.Kind switch
        {
            OutcomeKind.Invalid => outcome.Errors!.SelectMany(e => e.Value).First(),
            OutcomeKind.NotFound => Platform.Resources.Texts.Get("Problem.NotFound"),
            _ => outcome.Message!,
        };
        var status = outcome.Kind switch
        {
            OutcomeKind.NotFound => StatusCodes.Status404NotFound,
            OutcomeKind.Conflict => StatusCodes.Status502BadGateway,
            _ => StatusCodes.Status400BadRequest,
        };
        return WantsHtml(http) ? ErrorPage(status, message) : Problems.Status(status, message);
    }

    internal static async Task<Results<Ok<IReadOnlyList<CalendarInfo>>, ProblemHttpResult, ValidationProblem>> Calendars(string provider,
        [AsParameters] ConnectorsApiServices services, CancellationToken ct) =>
        (await services.Connectors.CalendarsAsync(provider, ct)).ToResults(calendars => TypedResults.Ok(calendars));

    internal static async Task<Results<Ok<ConnectorView>, ProblemHttpResult, ValidationProblem>> SelectCalendar(string provider,
        SelectCalendarRequest body, ClaimsPrincipal user, [AsParameters] ConnectorsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Connectors.SelectCalendarAsync(user.TenantId()!.Value, provider, body.CalendarId, user.Actor(), ct);
        return outcome.ToResults(connector => TypedResults.Ok(connector));
    }

    internal static async Task<Results<Created<ConnectorView>, ProblemHttpResult, ValidationProblem>> ConnectCalDav(CalDavRequest body,
        ClaimsPrincipal user, [AsParameters] ConnectorsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Connectors.ConnectCalDavAsync(user.TenantId()!.Value, body.Url, body.Username, body.Password, user.Actor(), ct);
        return outcome.ToResults(connector => TypedResults.Created("/api/tenant/connectors", connector));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Disconnect(string provider, ClaimsPrincipal user,
        [AsParameters] ConnectorsApiServices services, CancellationToken ct) =>
        await services.Connectors.DisconnectAsync(user.TenantId()!.Value, provider, user.Actor(), ct) ? TypedResults.NoContent() : Problems.NotFound();

    internal static async Task<Ok<CalendarRules>> GetRules(ClaimsPrincipal user, [AsParameters] ConnectorsApiServices services,
        CancellationToken ct) =>
        TypedResults.Ok(await services.Connectors.RulesAsync(user.TenantId()!.Value, ct));

    internal static async Task<Results<Ok<CalendarRules>, ProblemHttpResult, ValidationProblem>> PutRules(CalendarRules body, ClaimsPrincipal user,
        [AsParameters] ConnectorsApiServices services, CancellationToken ct)
    {
        var outcome = await services.Connectors.SaveRulesAsync(user.TenantId()!.Value, body, user.Actor(), ct);
        return outcome.ToResults(rules => TypedResults.Ok(rules));
    }

    internal static async Task<Ok<List<BookingDto>>> Bookings(int? take, [AsParameters] ConnectorsApiServices services, CancellationToken ct) =>
        TypedResults.Ok((await services.Connectors.RecentBookingsAsync(Math.Clamp(take ?? 50, 1, 500), ct)).Select(BookingDto.From).ToList());

    /// <summary>
    /// Where the provider sends the browser back. It must match the URI registered at Google or Microsoft exactly, so
    /// behind a proxy set Calendars:PublicBaseUrl.
    /// </summary>
    public static string RedirectUri(HttpContext http, CalendarOptions options, string provider)
    {
        var origin = options.PublicBaseUrl?.GetLeftPart(UriPartial.Authority) ?? $"{http.Request.Scheme}://{http.Request.Host}";
        return $"{origin}{CallbackPath}/{provider}";
    }

    private static bool WantsHtml(HttpContext http) =>
        http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    // The browser arrives here from the provider: a readable page, still a 400 so nothing looks like success.
    private static ContentHttpResult ErrorPage(int status, string message)
    {
        var encoder = HtmlEncoder.Default;
        var title = encoder.Encode(ConnectorTexts.Get("OAuth.FailedTitle"));
        var html = $"""
            <!DOCTYPE html>
            <html lang="{(Localization.IsGerman ? "de" : "en")}">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>{title} · VoiceAgent</title>
            <link rel="stylesheet" href="/_content/MudBlazor/MudBlazor.min.css" /></head>
            <body class="mud-typography-body1"><main class="mud-container mud-container-maxwidth-md pa-6">
            <h1 class="mud-typography mud-typography-h4 mb-4">{title}</h1>
            <div class="mud-alert mud-alert-text-error mud-elevation-0 mb-4 pa-4" role="alert" data-testid="oauth-error">{encoder.Encode(message)}</div>
            <a class="mud-button-root mud-button mud-button-filled mud-button-filled-primary mud-button-filled-size-medium" href="/app/connectors"><span class="mud-button-label">{encoder.Encode(ConnectorTexts.Get("OAuth.Back"))}</span></a></main></body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }
}

/// <summary>The services the connector endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record ConnectorsApiServices(ConnectorService Connectors, OAuthConnector OAuth, IOptions<CalendarOptions> Options);
