using NodaTime;
using VoiceAgent.Flows.Expressions;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Platform.Calendars;

/// <summary>Mails to the tenant about its calendar: a broken connection, a booking finished later, one that could not be made.</summary>
public sealed class ConnectorMails(Mailer mailer)
{
    public Task ConnectionBrokenAsync(string to, CalendarConnection connection, CancellationToken ct) =>
        mailer.SendAsync(to, ConnectorTexts.German("Mail.Broken.Subject", ProviderName(connection.Provider)),
            ConnectorTexts.German("Mail.Broken.Body", ProviderName(connection.Provider), connection.Account, connection.LastError), ct);

    public Task BookingConfirmedAsync(string to, CalendarBooking booking, CancellationToken ct) =>
        mailer.SendAsync(to, ConnectorTexts.German("Mail.Booked.Subject", When(booking)),
            ConnectorTexts.German("Mail.Booked.Body", When(booking), booking.Title, booking.CallerNumber ?? "–", booking.CalendarId), ct);

    public Task BookingFailedAsync(string to, CalendarBooking booking, bool slotTaken, CancellationToken ct) =>
        mailer.SendAsync(to, ConnectorTexts.German("Mail.Failed.Subject", booking.CallerNumber ?? "–"),
            ConnectorTexts.German(slotTaken ? "Mail.Failed.Taken" : "Mail.Failed.Body", When(booking), booking.Title, booking.CallerNumber ?? "–",
                booking.CallerName ?? "–", booking.LastError ?? "–"), ct);

    public static string ProviderName(string provider) => ConnectorTexts.German("Provider." + provider);

    private static string When(CalendarBooking booking)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(booking.TimeZone) ?? DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        return Filters.SpokenDateTime(Instant.FromDateTimeOffset(booking.StartAt).InZone(zone).ToDateTimeOffset());
    }
}
