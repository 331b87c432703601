namespace VoiceAgent.Flows.Runtime;

/// <summary>Outcome names shared by activities, the runner, tests and the designer.</summary>
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
    public const string Connected = "Connected";
    public const string NoAnswer = "NoAnswer";
    public const string Busy = "Busy";
    public const string Transferred = "Transferred";
    public const string MessageTaken = "MessageTaken";
    public const string Success = "Success";
    public const string Unknown = "Unknown";

    /// <summary>A port (calendar, model, webhook …) failed or timed out. May stay unconnected: the runner then apologises and ends.</summary>
    public const string Failed = "Failed";
}
