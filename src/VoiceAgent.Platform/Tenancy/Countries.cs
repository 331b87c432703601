namespace VoiceAgent.Platform.Tenancy;

public static class Countries
{
    public static readonly IReadOnlyList<string> Supported = ["DE", "AT", "CH"];

    public static string DisplayKey(string code) => $"Country.{code}";
}
