using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Pages;

namespace VoiceAgent.Web.Tests;

/// <summary>The calls page's filter bar: what it shows for a filter from the URL, and the URL each change leads to.</summary>
public sealed class CallsFilterBarTests : IAsyncLifetime
{
    // MudBlazor's services dispose only asynchronously: the context is ended in DisposeAsync, not by xUnit's Dispose.
    private readonly BunitContext bunit = new();
    private readonly List<CallFilter> changes = [];

    public CallsFilterBarTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
        bunit.Services.AddMudServices();
        bunit.Services.AddLocalization();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await bunit.DisposeAsync();

    private IRenderedComponent<CallFilterBar> RenderBar(CallFilter filter) => bunit.Render<CallFilterBar>(p => p
        .Add(b => b.Filter, filter)
        .Add(b => b.Outcomes, ["booked", "handoff"])
        .Add(b => b.Numbers, ["+49301111111", "+49302222222"])
        .Add(b => b.FilterChanged, f => changes.Add(f)));

    [Fact]
    public void A_filter_from_the_query_string_shows_in_the_bar_and_goes_back_into_the_same_url()
    {
        var filter = CallFilter.Parse("2026-12-01", "2026-12-06", "handoff", "+49301111111");
        var bar = RenderBar(filter);

#pragma warning disable MUD0012 // the picker keeps its range in a plain parameter, not in a parameter state
        var picker = bar.FindComponent<MudDateRangePicker>().Instance;
        Assert.Equal(new DateTime(2026, 12, 1), picker.DateRange!.Start);
        Assert.Equal(new DateTime(2026, 12, 6), picker.DateRange!.End);
#pragma warning restore MUD0012
        var selects = bar.FindComponents<MudSelect<string>>();
        Assert.Equal("handoff", selects[0].Instance.GetState(x => x.Value));
        Assert.Equal("+49301111111", selects[1].Instance.GetState(x => x.Value));
        Assert.Equal("/app/calls?from=2026-12-01&to=2026-12-06&outcome=handoff&number=%2B49301111111", filter.ToUrl());
        Assert.Equal(filter, CallFilter.Parse("2026-12-01", "2026-12-06", "handoff", "+49301111111"));
    }

    [Fact]
    public async Task Each_change_hands_up_the_filter_whose_url_carries_it()
    {
        var bar = RenderBar(new CallFilter());
        var selects = bar.FindComponents<MudSelect<string>>();
        Assert.Equal(CallFilterBar.All, selects[0].Instance.GetState(x => x.Value));

        await bar.InvokeAsync(() => selects[0].Instance.ValueChanged.InvokeAsync("handoff"));
        Assert.Equal("/app/calls?outcome=handoff", changes[^1].ToUrl());

        await bar.InvokeAsync(() => bar.FindComponent<MudDateRangePicker>().Instance.DateRangeChanged
            .InvokeAsync(new DateRange(new DateTime(2026, 12, 1), new DateTime(2026, 12, 6))));
        Assert.Equal("/app/calls?from=2026-12-01&to=2026-12-06", changes[^1].ToUrl());

        await bar.InvokeAsync(() => selects[1].Instance.ValueChanged.InvokeAsync("+49302222222"));
        Assert.Equal("/app/calls?number=%2B49302222222", changes[^1].ToUrl());

        // "Alle" is a value of its own in the select and never reaches the URL.
        await bar.InvokeAsync(() => selects[1].Instance.ValueChanged.InvokeAsync(CallFilterBar.All));
        Assert.Equal("/app/calls", changes[^1].ToUrl());
    }

    [Fact]
    public void Reset_clears_every_filter_and_a_link_value_no_call_has_yet_stays_selectable()
    {
        var bar = RenderBar(CallFilter.Parse(null, null, "voicemail", null));
        Assert.Equal("voicemail", bar.FindComponents<MudSelect<string>>()[0].Instance.GetState(x => x.Value));

        bar.Find("[data-testid=calls-filter-reset]").Click();

        Assert.Equal(new CallFilter(), changes[^1]);
        Assert.Equal("/app/calls", changes[^1].ToUrl());
    }

    [Theory]
    [InlineData("2026-12-06", "2026-12-01", "/app/calls?from=2026-12-01&to=2026-12-06")]
    [InlineData("gestern", "2026-13-01", "/app/calls")]
    [InlineData(null, "2026-12-06", "/app/calls?to=2026-12-06")]
    public void Unreadable_or_swapped_dates_in_a_link_are_read_leniently(string? from, string? to, string url) =>
        Assert.Equal(url, CallFilter.Parse(from, to, " ", null).ToUrl());
}
