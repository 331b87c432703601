using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Telephony.Calls;

namespace VoiceAgent.Web.Tests;

/// <summary>The calls pages' queries, under row-level security as the portal runs them (PortalData enters the user's tenant).</summary>
public sealed class CallsHistoryTests : IntegrationTest
{
    private static readonly DateTimeOffset Dec1 = new(2026, 12, 1, 9, 0, 0, TimeSpan.FromHours(1));

    private async Task<T> AsTenantAsync<T>(Guid tenantId, Func<VoiceAgentDb, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(s => s.UseTenant(tenantId), () => work(db));
    }

    [Fact]
    public async Task The_list_filters_by_period_outcome_and_number_pages_and_never_shows_another_tenants_calls()
    {
        var (a, _) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var (b, _) = await App.ApprovedTenantAsync("chef@b.de", "Salon Beta");
        await App.SeedSampleFlowAsync(a);
        await App.SeedSampleFlowAsync(b);
        var seed = new CallsSeed(Database.OwnerConnectionString);
        await seed.CallAsync(a, "+49301111111", "handoff", Dec1);
        // 23:30 Berlin time on 3 December (22:30 UTC): a call of the 3rd.
        await seed.CallAsync(a, "+49301111111", "booked", new DateTimeOffset(2026, 12, 3, 23, 30, 0, TimeSpan.FromHours(1)));
        await seed.CallAsync(a, "+49301111112", "booked", Dec1.AddDays(4));
        var foreign = await seed.CallAsync(b, "+49402222222", "handoff", Dec1.AddDays(2));

        async Task<(List<CallRow> Rows, int Total)> Page(CallFilter filter, int page = 0, int size = 25) =>
            await AsTenantAsync(a, db => CallHistory.PageAsync(db, filter, page, size, ascending: false, default));

        var all = await Page(new CallFilter());
        Assert.Equal(3, all.Total);
        Assert.DoesNotContain(all.Rows, r => r.Id == foreign);
        Assert.Equal(all.Rows.OrderByDescending(r => r.StartedAt).Select(r => r.Id), all.Rows.Select(r => r.Id));

        Assert.Equal(["handoff"], (await Page(CallFilter.Parse(null, null, "handoff", null))).Rows.Select(r => r.Outcome));
        Assert.Equal(2, (await Page(CallFilter.Parse(null, null, null, "+49301111111"))).Total);
        // Days are Berlin days, the end day included.
        var period = await Page(CallFilter.Parse("2026-12-02", "2026-12-03", null, null));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 23, 30, 0, TimeSpan.FromHours(1)), Assert.Single(period.Rows).StartedAt);
        Assert.Empty((await Page(CallFilter.Parse("2026-12-04", "2026-12-04", null, null))).Rows);

        var second = await Page(new CallFilter(), page: 1, size: 2);
        Assert.Equal(3, second.Total);
        Assert.Equal(all.Rows[2].Id, Assert.Single(second.Rows).Id);

        var (outcomes, numbers) = await AsTenantAsync(a, db => CallHistory.ChoicesAsync(db, default));
        Assert.Equal(["booked", "handoff"], outcomes);
        Assert.Equal(["+49301111111", "+49301111112"], numbers);

        // Another tenant's call id: row-level security hides it, the detail page shows "not found".
        Assert.Null(await AsTenantAsync(a, db => CallHistory.DetailAsync(db, foreign, default)));
        Assert.NotNull(await AsTenantAsync(b, db => CallHistory.DetailAsync(db, foreign, default)));
    }

    [Fact]
    public async Task The_detail_has_the_transcript_with_each_turns_latency_the_path_with_activity_types_and_the_booking()
    {
        var (a, _) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        await App.SeedSampleFlowAsync(a);
        var seed = new CallsSeed(Database.OwnerConnectionString);
        var instance = CallsSeed.BookingConversation(Dec1);
        var id = await seed.CallAsync(a, "+49301111111", "booked", Dec1, [900, 1200, 700], instance);
        await seed.BookingAsync(a, instance.Id, "Termin für +49 170 1234567", Dec1.AddDays(1));

        var view = await AsTenantAsync(a, db => CallHistory.DetailAsync(db, id, default));

        Assert.NotNull(view);
        Assert.Equal(6, view.Transcript.Count);
        // Three agent turns (greeting, offer, confirmation), each with its latency on its first line.
        Assert.Equal([900, null, null, 1200, null, 700], view.Transcript.Select(t => t.LatencyMs));
        Assert.Equal(933, view.MeanLatencyMs);
        Assert.Equal(1200, view.P95LatencyMs);
        Assert.True(view.Transcript[2].IsCaller);
        Assert.Equal(["greeting", "intent", "offer", "confirm", "booked"], view.Path.Select(p => p.NodeId));
        Assert.Equal("Speak", view.Path[0].Type);
        var booking = Assert.Single(view.Bookings);
        Assert.Equal("Termin für +49 170 1234567", booking.Title);
        Assert.Equal("confirmed", booking.Status);
    }

    [Fact]
    public async Task Simulator_sessions_are_no_calls_and_a_call_without_an_end_counts_as_live_for_four_hours()
    {
        var (a, admin) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(a);
        (await admin.PostAsync($"/api/flows/{flowId}/simulations", System.Net.Http.Json.JsonContent.Create(new { }))).EnsureSuccessStatusCode();

        Assert.Equal(0, (await AsTenantAsync(a, db => CallHistory.PageAsync(db, new CallFilter(), 0, 25, false, default))).Total);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(0, await AsTenantAsync(a, db => CallHistory.LiveCountAsync(db, now, default)));

        var id = await new CallsSeed(Database.OwnerConnectionString).CallAsync(a, "+49301111111", null, now.AddMinutes(-2));
        await using (var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"UPDATE calls SET ended_at = NULL, status = 'in-progress' WHERE id = '{id}'", connection);
            await cmd.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await AsTenantAsync(a, db => CallHistory.LiveCountAsync(db, now, default)));
        Assert.Equal(0, await AsTenantAsync(a, db => CallHistory.LiveCountAsync(db, now.AddHours(5), default)));
        Assert.True((await AsTenantAsync(a, db => CallHistory.PageAsync(db, new CallFilter(), 0, 25, false, default))).Rows.Single().Running);
    }

    [Fact]
    public void Latencies_of_realtime_calls_belong_to_the_answers_after_the_greeting_and_p95_is_nearest_rank()
    {
        var instance = CallsSeed.BookingConversation(DateTimeOffset.UnixEpoch);
        Assert.Equal([null, null, null, 1200, null, 700], CallHistory.Turns(instance.Transcript, [1200, 700]).Select(t => t.LatencyMs));
        Assert.Equal(95, CallHistory.P95([.. Enumerable.Range(1, 100)]));
        Assert.Null(CallHistory.P95([]));
        Assert.Null(CallHistory.Mean([]));
    }
}
