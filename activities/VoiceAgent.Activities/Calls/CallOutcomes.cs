namespace VoiceAgent.Activities.Calls;

/// <summary>Outcome names of the telephony activities (Transfer, Handoff), shared with tests and the designer. Stored in
/// flow definitions' connections, so the values never change.</summary>
public static class CallOutcomes
{
    public const string Connected = "Connected";
    public const string NoAnswer = "NoAnswer";
    public const string Busy = "Busy";
    public const string Transferred = "Transferred";
    public const string MessageTaken = "MessageTaken";
}
