namespace VoiceAgent.CallFlows.Nlu;

/// <summary>Wire names of intents as used by the CLI, JSON and flow conditions.</summary>
public static class IntentNames
{
    public const string Unknown = "unknown";
    public const string BookAppointment = "book_appointment";
    public const string QueryAppointments = "query_appointments";
    public const string CancelAppointment = "cancel_appointment";
    public const string Human = "human";
    public const string Yes = "yes";
    public const string No = "no";
    public const string Repeat = "repeat";
    public const string Goodbye = "goodbye";

    public static string ToName(Intent intent) => intent switch
    {
        Intent.BookAppointment => BookAppointment,
        Intent.QueryAppointments => QueryAppointments,
        Intent.CancelAppointment => CancelAppointment,
        Intent.Human => Human,
        Intent.Yes => Yes,
        Intent.No => No,
        Intent.Repeat => Repeat,
        Intent.Goodbye => Goodbye,
        _ => Unknown,
    };

    public static bool TryParse(string? name, out Intent intent)
    {
        var trimmed = name?.Trim();
        foreach (var candidate in Enum.GetValues<Intent>())
        {
            if (string.Equals(ToName(candidate), trimmed, StringComparison.OrdinalIgnoreCase))
            {
                intent = candidate;
                return true;
            }
        }

        intent = Intent.Unknown;
        return false;
    }
}
