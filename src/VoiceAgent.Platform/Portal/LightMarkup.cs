using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace VoiceAgent.Platform.Portal;

/// <summary>
/// MudBlazor's look without a MudBlazor component, for what a page repeats (grid cells, navigation entries, icons): plain
/// elements with MudBlazor's CSS classes. Every component kept in a circuit costs the server several KB for as long as
/// the page is open (two render trees, parameter state) — a link component per grid row was a fifth of a calls page's
/// circuit — while markup rendered by the page itself costs a few frames of the page's tree.
/// </summary>
public static class LightMarkup
{
    /// <summary>The classes of a <c>MudLink</c> in the primary colour, underlined on hover.</summary>
    public const string Link = "mud-typography mud-link mud-primary-text mud-link-underline-hover mud-typography-body1";

    /// <summary>The classes of a <c>MudIconButton</c> (text variant), in the surrounding colour when <paramref name="inherit"/>.</summary>
    public static string IconButton(bool inherit = false, string? cssClass = null)
    {
        var classes = inherit
            ? "mud-button-root mud-icon-button mud-inherit-text hover:mud-inherit-hover mud-ripple mud-ripple-icon"
            : "mud-button-root mud-icon-button mud-ripple mud-ripple-icon";
        return cssClass is null ? classes : $"{classes} {cssClass}";
    }

    /// <summary>The classes of a <c>MudText</c> (with its tag: <c>p</c> for body and subtitle, <c>h1</c>–<c>h6</c>, else <c>span</c>).</summary>
    public static string Text(Typo typo, Color color = Color.Default, string? cssClass = null)
    {
        var classes = $"mud-typography mud-typography-{typo.ToString()}";
        if (color is not (Color.Default or Color.Inherit))
        {
            classes += $" mud-{color.ToString().ToLowerInvariant()}-text";
        }

        return cssClass is null ? classes : $"{classes} {cssClass}";
    }

    /// <summary>The classes of a <c>MudPaper</c> with an elevation.</summary>
    public static string Paper(int elevation = 1, string? cssClass = null) =>
        cssClass is null ? $"mud-paper mud-elevation-{elevation}" : $"mud-paper mud-elevation-{elevation} {cssClass}";

    /// <summary>The classes of a <c>MudItem</c> in a <c>MudGrid</c>: columns out of 12 from each breakpoint on (0 = not set).</summary>
    public static string GridItem(int xs, int sm = 0, int md = 0, int lg = 0)
    {
        var classes = $"mud-grid-item mud-grid-item-xs-{xs}";
        classes += sm > 0 ? $" mud-grid-item-sm-{sm}" : "";
        classes += md > 0 ? $" mud-grid-item-md-{md}" : "";
        return lg > 0 ? $"{classes} mud-grid-item-lg-{lg}" : classes;
    }

    /// <summary>A <c>MudIcon</c>: the SVG of one of MudBlazor's <c>Icons</c>, decorative (hidden from screen readers).</summary>
    public static RenderFragment Icon(string svg, string size = "medium", string? cssClass = null) => builder =>
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", cssClass is null ? $"mud-icon-root mud-svg-icon mud-icon-size-{size}" : $"mud-icon-root mud-svg-icon mud-icon-size-{size} {cssClass}");
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddMarkupContent(5, svg);
        builder.CloseElement();
    };

    /// <summary>Whether a navigation entry is the current page (exact, or the path is below it).</summary>
    public static bool IsCurrent(string currentPath, string href, bool exact)
    {
        var path = currentPath.Split('?', '#')[0].TrimEnd('/');
        var target = href.TrimEnd('/');
        return exact
            ? string.Equals(path, target, StringComparison.OrdinalIgnoreCase)
            : path.Equals(target, StringComparison.OrdinalIgnoreCase) || path.StartsWith(target + "/", StringComparison.OrdinalIgnoreCase);
    }
}
