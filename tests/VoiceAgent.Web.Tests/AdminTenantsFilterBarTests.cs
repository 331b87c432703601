using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MudBlazor.Services;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Web.Admin;
using VoiceAgent.Web.Components.Pages.Admin;

namespace VoiceAgent.Web.Tests;

/// <summary>Component tests (bunit) of the tenants grid's filter bar and the reason dialog.</summary>
public sealed class AdminTenantsFilterBarTests : IAsyncLifetime
{
    // Composed, not inherited: MudBlazor's services only dispose asynchronously, which xunit's IAsyncLifetime provides.
    private readonly BunitContext bunit = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await bunit.DisposeAsync();

    private IServiceProvider Services => bunit.Services;

    private IRenderedComponent<T> Render<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null) where T : IComponent =>
        parameters is null ? bunit.Render<T>() : bunit.Render<T>(parameters);

    public AdminTenantsFilterBarTests()
    {
        bunit.Services.AddMudServices();
        bunit.Services.AddLocalization();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        System.Globalization.CultureInfo.CurrentUICulture = new("de-DE");
    }

    private (IRenderedComponent<TenantFilterBar> Bar, List<TenantFilter> Reported) RenderBar(string status = "pending")
    {
        Render<MudPopoverProvider>();
        var reported = new List<TenantFilter>();
        var bar = Render<TenantFilterBar>(p => p
            .Add(b => b.Status, status)
            .Add(b => b.DebounceMs, 0)
            .Add(b => b.FilterChanged, EventCallback.Factory.Create<TenantFilter>(new object(), f => reported.Add(f))));
        return (bar, reported);
    }

    [Fact]
    public async Task All_status_entry_has_a_value_and_yields_no_status_filter()
    {
        var (bar, reported) = RenderBar();
        var select = bar.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Status");
        var items = bar.FindComponents<MudSelectItem<string>>();

        // "Alle" is an entry with a non-empty value of its own, listed before the statuses.
        Assert.Equal(TenantFilter.All, items[0].Instance.Value);
        Assert.Equal("pending", select.Instance.GetState(x => x.Value));

        await bar.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(TenantFilter.All));

        var filter = Assert.Single(reported);
        Assert.Null(filter.Status);
        Assert.Null(filter.Country);

        await bar.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("suspended"));
        Assert.Equal(TenantStatus.Suspended, reported[^1].Status);
    }

    [Fact]
    public void Text_filter_is_passed_through_with_the_other_filters()
    {
        var (bar, reported) = RenderBar();

        bar.Find("input[data-testid='filter-text']").Input("  Salon Schnitt ");

        var filter = Assert.Single(reported);
        Assert.Equal("Salon Schnitt", filter.Text);
        Assert.Equal(TenantStatus.Pending, filter.Status);
    }

    [Fact]
    public void Country_select_offers_all_and_the_dach_countries()
    {
        var (bar, _) = RenderBar();
        var country = bar.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Land");

        var values = bar.FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value).ToList();
        Assert.Contains(TenantFilter.All, values);
        Assert.Contains("DE", values);
        Assert.Contains("AT", values);
        Assert.Contains("CH", values);
        Assert.Equal(TenantFilter.All, country.Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task Reason_dialog_refuses_an_empty_reason_and_returns_a_written_one()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();

        Task<string?> result = Task.FromResult<string?>(null);
        await provider.InvokeAsync(() => { result = ReasonDialog.AskAsync(dialogs, "Ablehnen", "Wirklich?", "Ablehnen", requireReason: true); });
        provider.WaitForElement("[data-testid='dialog-confirm']").Click();

        // Still open, with the error; nothing returned.
        Assert.False(result.IsCompleted);
        Assert.NotEmpty(provider.FindAll("[data-testid='dialog-confirm']"));
        Assert.Equal("true", provider.Find("textarea[data-testid='reason-input']").GetAttribute("aria-invalid"));

        provider.Find("textarea[data-testid='reason-input']").Input("   ");
        provider.Find("[data-testid='dialog-confirm']").Click();
        Assert.False(result.IsCompleted);

        provider.Find("textarea[data-testid='reason-input']").Input(" Keine Firma erkennbar ");
        provider.Find("[data-testid='dialog-confirm']").Click();

        Assert.Equal("Keine Firma erkennbar", await result.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(provider.FindAll("[data-testid='dialog-confirm']"));
    }
}
