namespace VoiceAgent.Activities;

/// <summary>Run variables the activities read and write (documented in src/VoiceAgent.Flows/README.md).</summary>
public static class Variables
{
    public const string Caller = "caller";
    public const string LastInput = "lastInput";
    public const string Intent = "intent";
    public const string Date = "date";
    public const string Time = "time";
    public const string PartOfDay = "partOfDay";
    public const string Answer = "answer";
    public const string Digits = "digits";
    public const string Slots = "slots";
    public const string Slot = "slot";
    public const string OfferedSlots = "offeredSlots";
    public const string Event = "event";
    public const string Events = "events";
    public const string NextEvent = "nextEvent";
    public const string Reply = "reply";
    public const string Http = "http";
    public const string Message = "message";
}
