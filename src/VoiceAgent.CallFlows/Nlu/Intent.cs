namespace VoiceAgent.CallFlows.Nlu;

public enum Intent
{
    Unknown,
    BookAppointment,
    QueryAppointments,
    CancelAppointment,
    Human,
    Yes,
    No,
    Repeat,
    Goodbye,
}
