using System.Collections.Frozen;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>The German Google Cloud voices a tenant may choose: a short curated list (Neural2 and WaveNet; the Standard
/// voices sound markedly worse on the phone). The label key names the gender for the German label.</summary>
public static class GoogleVoices
{
    public sealed record Voice(string Name, string LabelKey);

    public static readonly IReadOnlyList<Voice> All =
    [
        new("de-DE-Neural2-A", "Speech.Voice.Google.Female"),
        new("de-DE-Neural2-B", "Speech.Voice.Google.Male"),
        new("de-DE-Neural2-C", "Speech.Voice.Google.Female"),
        new("de-DE-Neural2-D", "Speech.Voice.Google.Male"),
        new("de-DE-Wavenet-A", "Speech.Voice.Google.Female"),
        new("de-DE-Wavenet-B", "Speech.Voice.Google.Male"),
    ];

    public static string Default => All[0].Name;

    private static readonly FrozenSet<string> Names = All.Select(v => v.Name).ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnown(string? name) => name is not null && Names.Contains(name);

    /// <summary>"de-DE" from "de-DE-Neural2-A": the voice's language must be sent with it.</summary>
    public static string LanguageOf(string name) => name.Length >= 5 ? name[..5] : "de-DE";

    /// <summary>"Neural2 A" from "de-DE-Neural2-A", for the label.</summary>
    public static string ShortName(string name) => name.Length > 6 ? name[6..].Replace('-', ' ') : name;
}
