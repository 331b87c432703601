namespace VoiceAgent.Platform.Nlu;

public enum PartOfDay
{
    Morning,
    Afternoon,
    Evening,
}
