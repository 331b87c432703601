using System.Globalization;

namespace VoiceAgent.Benchmarks;

/// <summary>The benchmark commands' "--name value" options.</summary>
internal static class CommandArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is missing.</summary>
    public static string? Text(IReadOnlyList<string> args, string name)
    {
        var index = args.ToList().IndexOf(name);
        return index >= 0 && index + 1 < args.Count ? args[index + 1] : null;
    }

    /// <summary>The whole number after <paramref name="name"/>, or <paramref name="fallback"/> when missing or unreadable.</summary>
    public static int Int(IReadOnlyList<string> args, string name, int fallback) =>
        int.TryParse(Text(args, name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
