using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using VoiceAgent.Calendars;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The Termine page's use case against the real database, in the tenant's RLS scope as the portal runs it: appointments by
/// hand book through the flow's port (same idempotency, slot guard and DST rule), and one tenant never sees another's.
/// </summary>
public sealed class AppointmentsServiceTests : IntegrationTest
{
    private const string Admin = "chef@praxis.de";

    public AppointmentsServiceTests()
    {
        // The messages are asserted in German, the portal's default language.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    [Fact]
    public async Task An_appointment_by_hand_shows_in_its_week_and_the_same_form_key_books_once()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Admin);
        var day = NextWeekday(IsoDayOfWeek.Tuesday);
        var input = Input(day, 10, 0, 30, "Beratung Müller", "Anna Müller", "0170 1234567");

        var first = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, input, "form-1", default));
        var again = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, input, "form-1", default));

        Assert.Equal(OutcomeKind.Ok, first.Kind);
        Assert.Equal(first.Value!.Id, again.Value!.Id);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
        var week = await AsTenantAsync(tenantId, s => s.ListAsync(tenantId, Monday(day), Monday(day).AddDays(7), default));
        var shown = Assert.Single(week.Appointments);
        Assert.Null(week.Provider);
        Assert.Equal(BusinessTime.ZoneId, week.Zone.Id);
        Assert.Equal(new LocalDateTime(day.Year, day.Month, day.Day, 10, 0), Instant.FromDateTimeOffset(shown.Start).InZone(week.Zone).LocalDateTime);
        Assert.Equal(TimeSpan.FromMinutes(30), shown.End - shown.Start);
        Assert.Equal("+491701234567", shown.CallerNumber);
        Assert.Equal("Anna Müller", shown.CallerName);
    }

    [Fact]
    public async Task A_conflict_says_so_in_german_and_changes_nothing()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Admin);
        var day = NextWeekday(IsoDayOfWeek.Wednesday);
        await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(day, 10, 0, 60, "Erster"), "a", default));

        var overlapping = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(day, 10, 30, 30, "Zweiter"), "b", default));

        Assert.Equal(OutcomeKind.Conflict, overlapping.Kind);
        Assert.Equal("Zu dieser Zeit ist schon ein Termin eingetragen. Bitte wählen Sie eine andere Zeit; es wurde nichts geändert.", overlapping.Message);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task A_time_the_spring_change_skips_is_refused_and_an_ambiguous_autumn_time_is_its_first_occurrence()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Admin);
        var (spring, autumn) = NextTransitions();

        var skipped = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(spring, 2, 30, 30, "Lücke"), "gap", default));
        var doubled = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(autumn, 2, 30, 30, "Doppelt"), "twice", default));

        Assert.Equal(OutcomeKind.Invalid, skipped.Kind);
        Assert.Contains("Zeitumstellung", skipped.Errors!["start"][0]);
        Assert.Equal(OutcomeKind.Ok, doubled.Kind);
        Assert.Equal(TimeSpan.FromHours(2), doubled.Value!.Start.Offset);
        Assert.Contains("zweimal", doubled.Message);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_stores_nothing()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Admin);

        var outcome = await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId,
            new AppointmentInput(DateTime.UtcNow.AddDays(-3).Date, TimeSpan.FromHours(10), 2, " ", null, "abc"), "bad", default));

        Assert.Equal(OutcomeKind.Invalid, outcome.Kind);
        Assert.Equal(["callerNumber", "duration", "start", "title"], outcome.Errors!.Keys.Order().ToArray());
        Assert.Equal("Der Termin liegt in der Vergangenheit.", outcome.Errors["start"][0]);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task Moving_books_the_new_time_even_over_its_own_old_time_and_a_conflict_leaves_it_where_it_was()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Admin);
        var day = NextWeekday(IsoDayOfWeek.Thursday);
        var booked = (await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(day, 10, 0, 60, "Beratung"), "a", default))).Value!;
        await AsTenantAsync(tenantId, s => s.CreateAsync(tenantId, Input(day, 14, 0, 60, "Anderer"), "b", default));

        var moved = await AsTenantAsync(tenantId, s => s.MoveAsync(tenantId, booked.Id, Input(day, 10, 30, 60, "Beratung"), "m1", default));
        var refused = await AsTenantAsync(tenantId, s => s.MoveAsync(tenantId, moved.Value!.Id, Input(day, 13, 30, 60, "Beratung"), "m2", default));

        Assert.Equal(OutcomeKind.Ok, moved.Kind);
        Assert.NotEqual(booked.Id, moved.Value!.Id);
        Assert.Equal(OutcomeKind.Conflict, refused.Kind);
        var week = await AsTenantAsync(tenantId, s => s.ListAsync(tenantId, Monday(day), Monday(day).AddDays(7), default));
        Assert.Equal(["10:30 Beratung", "14:00 Anderer"],
            week.Appointments.Select(a => $"{Instant.FromDateTimeOffset(a.Start).InZone(week.Zone):HH:mm} {a.Title}").ToArray());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}' AND status = 'cancelled'"));
    }

    [Fact]
    public async Task Cancelling_removes_it_and_another_tenant_never_sees_or_changes_it()
    {
        var (tenantA, _) = await App.ApprovedTenantAsync(Admin, "Praxis A");
        var (tenantB, _) = await App.ApprovedTenantAsync("chef@andere.de", "Praxis B");
        var day = NextWeekday(IsoDayOfWeek.Friday);
        var a = (await AsTenantAsync(tenantA, s => s.CreateAsync(tenantA, Input(day, 9, 0, 30, "Nur für A"), "a", default))).Value!;

        var seenByB = await AsTenantAsync(tenantB, s => s.ListAsync(tenantB, Monday(day), Monday(day).AddDays(7), default));
        var upcomingB = await AsTenantAsync(tenantB, s => s.UpcomingAsync(tenantB, 90, default));
        var cancelledByB = await AsTenantAsync(tenantB, s => s.CancelAsync(tenantB, a.Id, default));
        var movedByB = await AsTenantAsync(tenantB, s => s.MoveAsync(tenantB, a.Id, Input(day, 11, 0, 30, "Gekapert"), "x", default));
        // Even naming A's tenant id does not leave B's RLS scope.
        var crossed = await AsTenantAsync(tenantB, s => s.ListAsync(tenantA, Monday(day), Monday(day).AddDays(7), default));

        Assert.Empty(seenByB.Appointments);
        Assert.Empty(upcomingB);
        Assert.False(cancelledByB);
        Assert.Equal(OutcomeKind.NotFound, movedByB.Kind);
        Assert.Empty(crossed.Appointments);
        Assert.Single((await AsTenantAsync(tenantA, s => s.UpcomingAsync(tenantA, 90, default))), x => x.Id == a.Id);

        Assert.True(await AsTenantAsync(tenantA, s => s.CancelAsync(tenantA, a.Id, default)));
        Assert.Empty((await AsTenantAsync(tenantA, s => s.ListAsync(tenantA, Monday(day), Monday(day).AddDays(7), default))).Appointments);
    }

    // Moved from the static calendar page's tests: what the page lists below the grid.
    [Fact]
    public async Task Upcoming_shows_an_appointment_booked_in_the_simulator_and_leaves_out_past_and_cancelled_ones()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin, "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var session = (await Json(await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = "+491701234567" })))
            .GetProperty("sessionId").GetGuid();
        foreach (var text in new[] { "Ich möchte gerne einen Termin vereinbaren", "Ja, das passt" })
        {
            (await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{session}/turns", new { text })).EnsureSuccessStatusCode();
        }

        await using (var connection = new NpgsqlConnection(Database.OwnerConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                INSERT INTO sandbox_events (id, tenant_id, start_at, end_at, title, status, idempotency_key, created_at) VALUES
                  (gen_random_uuid(), '{tenantId}', now() - interval '2 days', now() - interval '2 days' + interval '30 minutes', 'Vorbei', 'confirmed', 'a', now()),
                  (gen_random_uuid(), '{tenantId}', now() + interval '20 days', now() + interval '20 days' + interval '30 minutes', 'Abgesagt', 'cancelled', 'b', now())
                """, connection);
            await cmd.ExecuteNonQueryAsync();
        }

        var upcoming = await AsTenantAsync(tenantId, s => s.UpcomingAsync(tenantId, 90, default));

        var booked = Assert.Single(upcoming);
        Assert.StartsWith("Termin", booked.Title);
        Assert.Equal("+491701234567", booked.CallerNumber);
    }

    private async Task<T> AsTenantAsync<T>(Guid tenantId, Func<AppointmentService, Task<T>> work)
    {
        // As PortalData runs a page's work: a fresh scope, the tenant's RLS scope, one transaction.
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UseTenant(tenantId);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await work(scope.ServiceProvider.GetRequiredService<AppointmentService>());
        await transaction.CommitAsync();
        return result;
    }

    private static AppointmentInput Input(DateOnly day, int hour, int minute, int duration, string title, string? name = null, string? number = null) =>
        new(day.ToDateTime(TimeOnly.MinValue), new TimeSpan(hour, minute, 0), duration, title, name, number);

    // A weekday at least a week ahead, so "in the past" never interferes.
    private static DateOnly NextWeekday(IsoDayOfWeek weekday)
    {
        var date = SystemClock.Instance.GetCurrentInstant().InZone(BusinessTime.Zone).Date.PlusDays(7);
        while (date.DayOfWeek != weekday)
        {
            date = date.PlusDays(1);
        }

        return date.ToDateOnly();
    }

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    // The next spring-forward and fall-back days in Europe/Berlin after today.
    private static (DateOnly Spring, DateOnly Autumn) NextTransitions()
    {
        var now = SystemClock.Instance.GetCurrentInstant() + Duration.FromDays(2);
        var intervals = BusinessTime.Zone.GetZoneIntervals(now, now + Duration.FromDays(400)).Skip(1).ToList();
        var spring = intervals.First(i => i.WallOffset == Offset.FromHours(2)).Start.InZone(BusinessTime.Zone).Date;
        var autumn = intervals.First(i => i.WallOffset == Offset.FromHours(1)).Start.InZone(BusinessTime.Zone).Date;
        return (spring.ToDateOnly(), autumn.ToDateOnly());
    }
}
