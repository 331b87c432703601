using VoiceAgent.Platform;
using NodaTime;
using VoiceAgent.Flows.Expressions;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Calendars;

/// <summary>
/// Mails to the tenant about its calendar: a broken connection, a booking finished later, one that could not be made.
/// They go to the outbox of the current unit of work: the caller's next SaveChanges stores them with the change.
/// </summary>
public sealed class ConnectorMails(MailOutbox outbox)
{
    public void ConnectionBroken(string to, CalendarConnection connection) =>
        outbox.Add(to, ConnectorTexts.German("Mail.Broken.Subject", ProviderName(connection.Provider)),
            ConnectorTexts.German("Mail.Broken.Body", ProviderName(connection.Provider), connection.Account, connection.LastError));

    public void BookingConfirmed(string to, CalendarBooking booking) =>
        outbox.Add(to, ConnectorTexts.German("Mail.Booked.Subject", When(booking)),
            ConnectorTexts.German("Mail.Booked.Body", When(booking), booking.Title, booking.CallerNumber ?? "–", booking.CalendarId));

    public void BookingFailed(string to, CalendarBooking booking, bool slotTaken) =>
        outbox.Add(to, ConnectorTexts.German("Mail.Failed.Subject", booking.CallerNumber ?? "–"),
            ConnectorTexts.German(slotTaken ? "Mail.Failed.Taken" : "Mail.Failed.Body", When(booking), booking.Title, booking.CallerNumber ?? "–",
                booking.CallerName ?? "–", booking.LastError ?? "–"));

    public static string ProviderName(string provider) => ConnectorTexts.German("Provider." + provider);

    private static string When(CalendarBooking booking)
    {
        var zone = BusinessTime.ZoneOrDefault(booking.TimeZone);
        return Filters.SpokenDateTime(Instant.FromDateTimeOffset(booking.StartAt).InZone(zone).ToDateTimeOffset());
    }
}
