namespace VoiceAgent.Activities.Ports;

/// <summary>Understands what the caller said (offline rules, or a language model when configured).</summary>
public interface ILanguageUnderstanding
{
    ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken);
}

/// <summary>
/// Intent names: book_appointment, query_appointments, cancel_appointment, human, yes, no, repeat, goodbye, unknown.
/// Date "YYYY-MM-DD", time "HH:mm" and part of day (morning|afternoon|evening) are resolved in the tenant's time zone.
/// </summary>
public sealed record Understanding(string Intent, string? Date, string? Time, string? PartOfDay, string? Digits, bool? YesNo);

public static class Intents
{
    public const string BookAppointment = "book_appointment";
    public const string QueryAppointments = "query_appointments";
    public const string CancelAppointment = "cancel_appointment";
    public const string Human = "human";
    public const string Yes = "yes";
    public const string No = "no";
    public const string Repeat = "repeat";
    public const string Goodbye = "goodbye";
    public const string Unknown = "unknown";
}
