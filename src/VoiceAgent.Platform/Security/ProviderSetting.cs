namespace VoiceAgent.Platform.Security;

public sealed class ProviderSetting
{
    public required string Key { get; set; }
    public required string ProtectedValue { get; set; }
    public required string Hint { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
