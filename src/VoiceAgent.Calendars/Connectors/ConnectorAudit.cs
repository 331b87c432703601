namespace VoiceAgent.Calendars;

/// <summary>Audit actions of the calendar connectors (recorded with <c>db.Record</c>).</summary>
public static class ConnectorAudit
{
    public const string Connected = "connector.connected";
    public const string ConnectRefused = "connector.connect_refused";
    public const string CalendarSelected = "connector.calendar_selected";
    public const string Disconnected = "connector.disconnected";
    public const string Broken = "connector.broken";
    public const string SettingsChanged = "calendar.settings_changed";
    public const string BookingDeferred = "booking.deferred";
    public const string BookingCompleted = "booking.completed";
    public const string BookingFailed = "booking.failed";
}
