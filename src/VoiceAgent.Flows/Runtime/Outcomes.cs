namespace VoiceAgent.Flows.Runtime;

/// <summary>Outcome names shared by activities, the runner, tests and the designer. Outcomes that only one module's
/// activities use live with those activities (e.g. the dial results next to Transfer).</summary>
public static class Outcomes
{
    public const string Done = "Done";
    public const string True = "True";
    public const string False = "False";
    public const string Recognized = "Recognized";
    public const string NoInput = "NoInput";
    public const string NoMatch = "NoMatch";
    public const string Found = "Found";
    public const string NotFound = "NotFound";
    public const string Created = "Created";
    public const string Conflict = "Conflict";
    public const string Cancelled = "Cancelled";
    public const string Success = "Success";
    public const string Unknown = "Unknown";

    /// <summary>A port (calendar, model, webhook …) failed or timed out. May stay unconnected: the run then ends and the
    /// <see cref="IRunEndHandler"/> closes the conversation.</summary>
    public const string Failed = "Failed";
}
