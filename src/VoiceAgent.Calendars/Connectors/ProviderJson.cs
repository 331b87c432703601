using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace VoiceAgent.Calendars;

/// <summary>JSON and time formats shared by the Google and Graph clients, and Google's authorized request helper.</summary>
internal static class ProviderJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly OffsetDateTimePattern OffsetPattern =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss");

    /// <summary>RFC 3339 in UTC: 2026-03-29T01:00:00Z.</summary>
    public static string Utc(Instant instant) => InstantPattern.General.Format(instant);

    /// <summary>RFC 3339 with the zone's offset at that instant: 2026-03-30T09:00:00+02:00.</summary>
    public static string WithOffset(Instant instant, DateTimeZone zone) => OffsetPattern.Format(instant.InZone(zone).ToOffsetDateTime());

    /// <summary>Wall-clock time in the zone without offset (Graph's dateTimeTimeZone): 2026-03-30T09:00:00.</summary>
    public static string Local(Instant instant, DateTimeZone zone) => LocalPattern.Format(instant.InZone(zone).LocalDateTime);

    public static Instant ParseOffset(string value) =>
        Instant.FromDateTimeOffset(DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    /// <summary>A wall-clock time in a named zone (IANA or Windows name; unknown names: <paramref name="fallback"/>).</summary>
    public static Instant ParseLocal(string value, string? zoneName, DateTimeZone fallback)
    {
        var local = LocalDateTime.FromDateTime(DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None));
        return local.InZoneLeniently(Zone(zoneName) ?? fallback).ToInstant();
    }

    /// <summary>IANA or Windows time-zone name → NodaTime zone; null when unknown.</summary>
    public static DateTimeZone? Zone(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        if (name is "UTC" or "Etc/UTC" or "tzone://Microsoft/Utc")
        {
            return DateTimeZone.Utc;
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(name) is { } zone)
        {
            return zone;
        }

        return TimeZoneInfo.TryConvertWindowsIdToIanaId(name, out var iana) ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(iana) : null;
    }

    /// <summary>
    /// Sends with the connection's access token; a 401 refreshes the token once and repeats the request, a second 401
    /// means the grant no longer works.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, CalendarSession session, Func<HttpRequestMessage> build,
        CancellationToken ct)
    {
        var token = await session.SecretAsync(false, ct);
        var response = await CalendarHttp.SendAsync(http, build().Bearer(token), session.Budget, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        token = await session.SecretAsync(true, ct);
        response = await CalendarHttp.SendAsync(http, build().Bearer(token), session.Budget, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            response.Dispose();
            throw new CalendarAuthorizationException("The provider refused a freshly refreshed access token.");
        }

        return response;
    }

    /// <summary>The body as <typeparamref name="T"/>, or the provider's error (<c>{"error":{"message"}}</c>) as an exception.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(Options, ct)
               ?? throw new CalendarProviderException(response.StatusCode, "The provider sent an empty answer.");
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        string? message = null;
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            message = error is JsonObject o ? (string?)o["message"] ?? (string?)o["code"] : (string?)error;
        }
        catch (JsonException)
        {
            message = null;
        }

        throw new CalendarProviderException(response.StatusCode,
            $"{(int)response.StatusCode} {message ?? response.ReasonPhrase}".Trim());
    }
}
