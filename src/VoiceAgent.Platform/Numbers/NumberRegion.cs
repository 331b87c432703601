namespace VoiceAgent.Platform.Numbers;

/// <summary>The tenant's country; it decides how a national number such as <c>030 1234567</c> is read.</summary>
public enum NumberRegion
{
    DE,
    AT,
    CH,
}
