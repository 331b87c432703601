using MudBlazor;

namespace VoiceAgent.Web.Components.Layout;

/// <summary>The portal's one visual language: MudBlazor's Material theme with our colours, contrast checked (WCAG AA).</summary>
public static class PortalThemes
{
    public static readonly MudTheme Default = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4ed8",
            Secondary = "#475569",
            AppbarBackground = "#1e3a8a",
            AppbarText = "#ffffff",
            Success = "#15803d",
            Warning = "#b45309",
            Error = "#b91c1c",
            Info = "#0369a1",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#93c5fd",
            Secondary = "#cbd5e1",
            AppbarBackground = "#111827",
            Success = "#4ade80",
            Warning = "#fbbf24",
            Error = "#fca5a5",
            Info = "#7dd3fc",
            TextSecondary = "rgba(255,255,255,0.75)",
            // Light colours on a dark page: their filled buttons and chips need dark text (WCAG AA), not Material's white.
            PrimaryContrastText = "#0f172a",
            SecondaryContrastText = "#0f172a",
            SuccessContrastText = "#0f172a",
            WarningContrastText = "#0f172a",
            ErrorContrastText = "#0f172a",
            InfoContrastText = "#0f172a",
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "240px" },
    };
}
