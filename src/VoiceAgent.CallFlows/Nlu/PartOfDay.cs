namespace VoiceAgent.CallFlows.Nlu;

public enum PartOfDay
{
    Morning,
    Afternoon,
    Evening,
}
