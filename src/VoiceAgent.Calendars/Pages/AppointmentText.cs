using System.Globalization;
using Microsoft.Extensions.Localization;
using NodaTime;
using VoiceAgent.Platform.Numbers;

namespace VoiceAgent.Calendars.Pages;

/// <summary>How the portal writes an appointment, in the tenant's zone and the reader's culture.</summary>
internal static class AppointmentText
{
    public static LocalDateTime Local(DateTimeOffset value, DateTimeZone zone) => Instant.FromDateTimeOffset(value).InZone(zone).LocalDateTime;

    /// <summary>"Di., 24.11.2026 14:30–15:00" (the end with its date when it is another day).</summary>
    public static string When(Appointment a, DateTimeZone zone)
    {
        var culture = CultureInfo.CurrentCulture;
        var start = Local(a.Start, zone).ToDateTimeUnspecified();
        var end = Local(a.End, zone).ToDateTimeUnspecified();
        var until = end.Date == start.Date ? end.ToString("t", culture) : end.ToString("g", culture);
        return $"{start.ToString("ddd", culture)}, {start.ToString("d", culture)} {start.ToString("t", culture)}–{until}";
    }

    public static string Label(IStringLocalizer<CalendarTexts> l, Appointment a, DateTimeZone zone)
    {
        var culture = CultureInfo.CurrentCulture;
        var start = Local(a.Start, zone).ToDateTimeUnspecified();
        var end = Local(a.End, zone).ToDateTimeUnspecified();
        // Begins with what the button shows (its time and title), as screen-reader users hear it spoken by voice control too.
        return l["Page.EventLabel", Short(a, zone), start.ToString("D", culture), start.ToString("t", culture), end.ToString("t", culture)];
    }

    /// <summary>What an appointment's button shows: "10:30 Beratung".</summary>
    public static string Short(Appointment a, DateTimeZone zone) =>
        $"{Local(a.Start, zone).ToString("HH:mm", CultureInfo.InvariantCulture)} {a.Title}";

    public static string Caller(Appointment a)
    {
        var number = a.CallerNumber is { } n && n.StartsWith('+') ? PhoneNumbers.Display(n) : a.CallerNumber;
        return string.Join(" · ", new[] { a.CallerName, number }.Where(s => !string.IsNullOrWhiteSpace(s)));
    }
}
