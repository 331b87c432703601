using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Pages;

namespace VoiceAgent.Web.Tests;

/// <summary>The ABRECHNUNGEN filter bar in bunit: every select has "Alle" with a non-empty value, and choices narrow the grid's query.</summary>
public sealed class BillingFilterBarTests : IAsyncLifetime
{
    private static readonly Guid Salon = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Dentist = Guid.Parse("22222222-2222-2222-2222-222222222222");

    // Four invoices as the grid's source: two tenants, January finalized and February drafts.
    private static readonly Invoice[] Invoices =
    [
        Make(Salon, 1, InvoiceStatuses.Finalized), Make(Dentist, 1, InvoiceStatuses.Finalized),
        Make(Salon, 2, InvoiceStatuses.Draft), Make(Dentist, 2, InvoiceStatuses.Draft),
    ];

    private InvoiceFilter? reported;

    private readonly List<BunitContext> contexts = [];

    public Task InitializeAsync()
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        return Task.CompletedTask;
    }

    // MudBlazor's services are only asynchronously disposable.
    public async Task DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }
    }

    private static Invoice Make(Guid tenant, int month, string status) => new()
    {
        Id = Guid.NewGuid(), TenantId = tenant, Kind = InvoiceKinds.Monthly, Status = status, Period = new DateOnly(2026, month, 1),
        Issuer = "{}", Recipient = "{}", TaxRule = "domestic",
    };

    // A fresh context per render: the bar as the page shows it after a reload with that filter in the address.
    private IRenderedComponent<ContainerFragment> RenderBar(InvoiceFilter filter)
    {
        var context = new BunitContext();
        contexts.Add(context);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        return context.Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<InvoiceFilterBar>(1);
        builder.AddAttribute(2, nameof(InvoiceFilterBar.Filter), filter);
        builder.AddAttribute(3, nameof(InvoiceFilterBar.Periods), (IReadOnlyList<BillingPeriod>)[new BillingPeriod(2026, 2), new BillingPeriod(2026, 1)]);
        builder.AddAttribute(4, nameof(InvoiceFilterBar.Tenants),
            (IReadOnlyList<KeyValuePair<Guid, string>>)[new(Salon, "Salon Schnitt GmbH"), new(Dentist, "Zahnarzt Dr. Bohr")]);
        builder.AddAttribute(5, nameof(InvoiceFilterBar.FilterChanged), EventCallback.Factory.Create<InvoiceFilter>(this, f => reported = f));
        builder.CloseComponent();
    });
    }

    private static async Task ChooseAsync(IRenderedComponent<ContainerFragment> cut, int select, string label)
    {
        var selects = cut.FindComponents<MudSelect<string>>();
        await cut.InvokeAsync(() => selects[select].Instance.OpenMenu());
        var item = cut.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == label);
        await cut.InvokeAsync(() => item.Click());
    }

    private static int Count(InvoiceFilter filter) => filter.Apply(Invoices.AsQueryable()).Count();

    [Fact]
    public void Every_filter_starts_on_alle_whose_value_is_not_empty()
    {
        var cut = RenderBar(InvoiceFilter.Unfiltered);

        var selects = cut.FindComponents<MudSelect<string>>();
        Assert.Equal(3, selects.Count);
        // Each shows the label "Alle" for the value "all" (an empty value showed no label in MudSelect).
        foreach (var filter in new[] { "filter-period", "filter-tenant", "filter-status" })
        {
            Assert.Equal("Alle", cut.Find($"[data-testid={filter}]").TextContent.Trim());
        }

        Assert.Equal(3, cut.FindAll("input.mud-select-input").Count(i => i.GetAttribute("value") == InvoiceFilter.All));
        Assert.Equal(4, Count(InvoiceFilter.Unfiltered));
    }

    [Fact]
    public async Task A_tenant_narrows_and_alle_in_each_filter_gives_the_unfiltered_query()
    {
        var cut = RenderBar(InvoiceFilter.Unfiltered);

        await ChooseAsync(cut, 1, "Zahnarzt Dr. Bohr");
        Assert.Equal(new InvoiceFilter(Tenant: Dentist.ToString()), reported);
        Assert.Equal(2, Count(reported!));
        Assert.All(reported!.Apply(Invoices.AsQueryable()), i => Assert.Equal(Dentist, i.TenantId));

        // From a fully filtered bar, "Alle" in each select takes its filter off again.
        cut = RenderBar(new InvoiceFilter("2026-02", Dentist.ToString(), InvoiceStatuses.Draft));
        Assert.Equal(1, Count(new InvoiceFilter("2026-02", Dentist.ToString(), InvoiceStatuses.Draft)));
        await ChooseAsync(cut, 2, "Alle");
        Assert.Equal(new InvoiceFilter("2026-02", Dentist.ToString()), reported);

        cut = RenderBar(reported!);
        await ChooseAsync(cut, 1, "Alle");
        Assert.Equal(new InvoiceFilter("2026-02"), reported);

        cut = RenderBar(reported!);
        await ChooseAsync(cut, 0, "Alle");
        Assert.Equal(InvoiceFilter.Unfiltered, reported);
        Assert.True(reported!.IsUnfiltered);
        Assert.Equal(4, Count(reported));
    }
}
