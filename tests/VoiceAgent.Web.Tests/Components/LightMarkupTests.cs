using VoiceAgent.Platform.Portal;

namespace VoiceAgent.Web.Tests.Components;

/// <summary>Which navigation entry is the current page (the drawer marks it with <c>aria-current</c>).</summary>
public sealed class LightMarkupTests
{
    [Theory]
    [InlineData("/app", "/app", true, true)]
    [InlineData("/app/calls", "/app", true, false)]
    [InlineData("/app/calls", "/app/calls", false, true)]
    [InlineData("/app/calls/0193f1a2-0000-7000-8000-000000000001", "/app/calls", false, true)]
    [InlineData("/app/calls?outcome=handoff", "/app/calls", false, true)]
    [InlineData("/app/calls/", "/app/calls", false, true)]
    [InlineData("/app/callsign", "/app/calls", false, false)]
    [InlineData("/APP/Calls", "/app/calls", false, true)]
    [InlineData("/admin/tenants", "/app", true, false)]
    public void An_entry_is_current_for_its_path_and_below_unless_exact(string path, string href, bool exact, bool current) =>
        Assert.Equal(current, LightMarkup.IsCurrent(path, href, exact));

    [Fact]
    public void Classes_follow_MudBlazor_names()
    {
        Assert.Equal("mud-typography mud-typography-subtitle2 mud-secondary-text kpi-label", LightMarkup.Text(MudBlazor.Typo.subtitle2, MudBlazor.Color.Secondary, "kpi-label"));
        Assert.Equal("mud-grid-item mud-grid-item-xs-12 mud-grid-item-sm-6 mud-grid-item-lg-3", LightMarkup.GridItem(12, sm: 6, lg: 3));
        Assert.Equal("mud-paper mud-elevation-1 pa-4", LightMarkup.Paper(cssClass: "pa-4"));
    }
}
