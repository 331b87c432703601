namespace VoiceAgent.CallFlows;

/// <summary>Ready-made flows: "Terminannahme" (book, tell, cancel appointments; hand off to a human).</summary>
public static class SampleFlows
{
    public const string BookingName = "Terminannahme";

    private const string ResourcePrefix = "VoiceAgent.Samples.";

    public static string BookingJson { get; } = Read("terminannahme.json");

    /// <summary>Every shipped sample (Samples/*.json) by file name, e.g. "terminannahme.json".</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = typeof(SampleFlows).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToDictionary(n => n[ResourcePrefix.Length..], n => Read(n[ResourcePrefix.Length..]));

    private static string Read(string file)
    {
        using var stream = typeof(SampleFlows).Assembly.GetManifestResourceStream(ResourcePrefix + file)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
