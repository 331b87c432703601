using MudBlazor;

namespace VoiceAgent.Designer.Versions;

/// <summary>MudBlazor's look for the panel's repeated plain elements (a version list grows with every publish; a button
/// component per action and row would be kept in the circuit for as long as the designer is open).</summary>
internal static class VersionsMarkup
{
    /// <summary>The classes of a small <c>MudButton</c>.</summary>
    public static string Button(Variant variant, Color color)
    {
        var v = variant.ToString().ToLowerInvariant();
        var c = color.ToString().ToLowerInvariant();
        return $"mud-button-root mud-button mud-button-{v} mud-button-{v}-{c} mud-button-{v}-size-small mud-ripple";
    }

    /// <summary>"draft" → the resource key of its German name (shared with the flows module's messages).</summary>
    public static string StatusKey(string status) =>
        "FlowStatus." + (status.Length == 0 ? status : char.ToUpperInvariant(status[0]) + status[1..]);
}
