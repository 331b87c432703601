namespace VoiceAgent.CallFlows;

/// <summary>Ready-made flows: "Terminannahme" (book, tell, cancel appointments; hand off to a human).</summary>
public static class SampleFlows
{
    public const string BookingName = "Terminannahme";

    public static string BookingJson { get; } = Read("terminannahme.json");

    private static string Read(string file)
    {
        using var stream = typeof(SampleFlows).Assembly.GetManifestResourceStream("VoiceAgent.Samples." + file)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
