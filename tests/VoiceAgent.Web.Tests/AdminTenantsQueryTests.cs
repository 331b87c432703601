using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;
using VoiceAgent.Web.Admin;

namespace VoiceAgent.Web.Tests;

/// <summary>The super-admin's tenants grid and detail queries (what the old static page tests proved, now on the queries).</summary>
public sealed class AdminTenantsQueryTests : IntegrationTest
{
    private async Task<T> AsPlatformAsync<T>(Func<VoiceAgentDb, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(s => s.UsePlatform(), () => query(db));
    }

    private async Task<(Guid Munich, Guid Vienna, Guid Zurich)> SeedAsync()
    {
        var seed = new BillingSeed(Database);
        var munich = await seed.TenantAsync("Salon Schnitt GmbH", "DE", status: "pending");
        var vienna = await seed.TenantAsync("Wiener 100%_Praxis", "AT");
        var zurich = await seed.TenantAsync("Zahnarzt Zürich AG", "CH", status: "suspended");
        await seed.ExecuteAsync("UPDATE tenants SET city = 'Wien', contact_person = 'Anna Huber' WHERE id = @id", ("id", vienna));
        await seed.ExecuteAsync("UPDATE tenants SET city = 'Zürich', email = 'praxis@zahn.ch', created_at = now() - interval '1 day' WHERE id = @id", ("id", zurich));
        return (munich, vienna, zurich);
    }

    [Fact]
    public async Task Filters_by_status_country_and_text_over_company_contact_email_and_city()
    {
        var (munich, vienna, zurich) = await SeedAsync();

        async Task<Guid[]> Ids(TenantFilter filter) =>
            (await AsPlatformAsync(db => TenantQueries.PageAsync(db, filter, null, false, 0, 25, default))).Rows.Select(r => r.Id).Order().ToArray();

        Assert.Equal(new[] { munich, vienna, zurich }.Order(), await Ids(TenantFilter.FromQuery("all", "all", null)));
        Assert.Equal([munich], await Ids(TenantFilter.FromQuery("pending", null, null)));
        Assert.Equal([vienna], await Ids(TenantFilter.FromQuery(null, "at", null)));
        Assert.Equal([vienna], await Ids(TenantFilter.FromQuery(null, null, "huber")));
        Assert.Equal([zurich], await Ids(TenantFilter.FromQuery(null, null, "ZAHN.CH")));
        Assert.Equal([zurich], await Ids(TenantFilter.FromQuery(null, null, "zürich")));
        Assert.Equal([munich], await Ids(TenantFilter.FromQuery(null, null, "Schnitt")));
        // The user's % and _ are literal characters, not wildcards.
        Assert.Equal([vienna], await Ids(TenantFilter.FromQuery(null, null, "100%_")));
        Assert.Equal([vienna], await Ids(TenantFilter.FromQuery(null, null, "%")));
        Assert.Empty(await Ids(TenantFilter.FromQuery("approved", "CH", null)));
        // Unknown values filter nothing rather than failing.
        Assert.Equal(3, (await Ids(TenantFilter.FromQuery("bogus", "XX", "  "))).Length);
    }

    [Fact]
    public async Task Pages_and_sorts_in_sql_with_the_total_count()
    {
        var seed = new BillingSeed(Database);
        for (var i = 0; i < 7; i++)
        {
            await seed.TenantAsync($"Firma {i:00}");
        }

        var first = await AsPlatformAsync(db => TenantQueries.PageAsync(db, new TenantFilter(), nameof(TenantRow.CompanyName), false, 0, 3, default));
        var last = await AsPlatformAsync(db => TenantQueries.PageAsync(db, new TenantFilter(), nameof(TenantRow.CompanyName), false, 2, 3, default));
        var descending = await AsPlatformAsync(db => TenantQueries.PageAsync(db, new TenantFilter(), nameof(TenantRow.CompanyName), true, 0, 2, default));

        Assert.Equal(7, first.Total);
        Assert.Equal(["Firma 00", "Firma 01", "Firma 02"], first.Rows.Select(r => r.CompanyName));
        Assert.Equal(["Firma 06"], last.Rows.Select(r => r.CompanyName));
        Assert.Equal(["Firma 06", "Firma 05"], descending.Rows.Select(r => r.CompanyName));
    }

    [Fact]
    public async Task Usage_this_month_counts_the_berlin_month_by_kind()
    {
        var seed = new BillingSeed(Database);
        var tenant = await seed.TenantAsync("Salon A");
        var other = await seed.TenantAsync("Salon B");
        // 1 March 2026 00:30 in Berlin is still February in UTC; 31 March 23:30 UTC is already April in Berlin.
        await seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 2, 28, 23, 30, 0, TimeSpan.Zero), 90);
        await seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 3, 15, 10, 0, 0, TimeSpan.Zero), 60);
        await seed.UsageAsync(tenant, "forward", new DateTimeOffset(2026, 3, 20, 10, 0, 0, TimeSpan.Zero), 120);
        await seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 3, 31, 22, 30, 0, TimeSpan.Zero), 600);
        await seed.UsageAsync(tenant, "bot", new DateTimeOffset(2026, 2, 27, 10, 0, 0, TimeSpan.Zero), 600);
        await seed.UsageAsync(other, "bot", new DateTimeOffset(2026, 3, 15, 10, 0, 0, TimeSpan.Zero), 999);

        var usage = await AsPlatformAsync(db => TenantQueries.UsageThisMonthAsync(db, tenant, new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero), default));

        Assert.Equal(150, usage.BotSeconds);
        Assert.Equal(120, usage.ForwardSeconds);
        Assert.Equal(3, usage.BotMinutes);
        Assert.Equal(2, usage.ForwardMinutes);
    }

    [Fact]
    public async Task Dialog_transitions_through_the_tenant_service_are_audited_with_the_reason()
    {
        var id = await App.RegisterAsync(TestData.Registration("chef@salon.de"));
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var service = scope.ServiceProvider.GetRequiredService<TenantService>();
        var actor = new Platform.Auditing.Actor(null, VoiceAgentFactory.AdminEmail);

        var refused = await db.InScopeAsync(s => s.UsePlatform(), () => service.RejectAsync(id, actor, "  "));
        var rejected = await db.InScopeAsync(s => s.UsePlatform(), () => service.RejectAsync(id, actor, "Keine Firma erkennbar"));
        var trail = await db.InScopeAsync(s => s.UsePlatform(), () => TenantQueries.AuditTrailAsync(db, id, 50, default));

        Assert.Equal(OutcomeKind.Invalid, refused.Kind);
        Assert.Equal(OutcomeKind.Ok, rejected.Kind);
        var entry = Assert.Single(trail, a => a.Action == "tenant.rejected");
        Assert.Equal("Keine Firma erkennbar", entry.Reason);
        Assert.Equal(VoiceAgentFactory.AdminEmail, entry.ActorEmail);
    }
}
