using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Calendars;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The sandbox calendar ("Testkalender") is a choice the tenant confirms: until then a caller's booking is kept but comes
/// back pending, so the sample flow never says "ist eingetragen"; once confirmed (audited, per tenant) it books as before.
/// </summary>
public sealed class SandboxCalendarChoiceTests : IntegrationTest
{
    private static readonly Actor Chef = new(null, "chef@praxis.de");

    // The connector host runs the jobs with the fakes' settings; the test's default host runs none (as in ConnectorBookingTests).
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false", ["Calendars:RunWorker"] = "false" };

    public SandboxCalendarChoiceTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    private Task<T> WithChoiceAsync<T>(Guid scopeTenant, Func<TenantCalendarChoice, Task<T>> work) =>
        AsTenantAsync(scopeTenant, (sp, _) => work(sp.GetRequiredService<TenantCalendarChoice>()));

    [Fact]
    public async Task A_caller_booking_into_an_unconfirmed_test_calendar_is_only_noted_and_after_confirming_it_is_booked()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId, confirmSandbox: false);

        var state = await WithChoiceAsync(tenantId, c => c.GetAsync(tenantId, default));
        Assert.Equal((true, false, false, "Testkalender"), (state.Sandbox, state.SandboxConfirmed, state.BookingsConfirmed, state.Label));

        var (slotText, noted) = await BookAsync(admin, flowId, "+491701111111");
        Assert.DoesNotContain(noted.Lines, l => l.Contains("eingetragen", StringComparison.Ordinal));
        Assert.Equal([$"Ich habe Ihren Wunschtermin am {slotText} notiert. Die Buchung dauert gerade etwas länger; Sie erhalten die Bestätigung in Kürze.",
            "Kann ich sonst noch etwas für Sie tun?"], noted.Lines);
        Assert.True(noted.Json.GetProperty("variables").GetProperty("event").GetProperty("pending").GetBoolean());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}' AND caller_number = '+491701111111'"));

        var confirmed = await WithChoiceAsync(tenantId, c => c.ConfirmSandboxAsync(tenantId, Chef, default));
        Assert.Equal(OutcomeKind.Ok, confirmed.Kind);
        state = await WithChoiceAsync(tenantId, c => c.GetAsync(tenantId, default));
        Assert.Equal((true, true, true, "chef@praxis.de"), (state.Sandbox, state.SandboxConfirmed, state.BookingsConfirmed, state.SandboxConfirmedBy));

        var (otherSlot, booked) = await BookAsync(admin, flowId, "+491702222222");
        Assert.Equal([$"Ihr Termin am {otherSlot} ist eingetragen. Wir freuen uns auf Sie.", "Kann ich sonst noch etwas für Sie tun?"], booked.Lines);
        Assert.False(booked.Json.GetProperty("variables").GetProperty("event").GetProperty("pending").GetBoolean());
    }

    [Fact]
    public async Task Confirming_is_audited_once_and_holds_for_that_tenant_only()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var (otherId, otherAdmin) = await App.ApprovedTenantAsync("salon@beta.de", "Salon Beta");
        var otherFlow = await App.SeedSampleFlowAsync(otherId, confirmSandbox: false);

        Assert.Equal(OutcomeKind.Ok, (await WithChoiceAsync(tenantId, c => c.ConfirmSandboxAsync(tenantId, Chef, default))).Kind);
        Assert.Equal(OutcomeKind.Ok, (await WithChoiceAsync(tenantId, c => c.ConfirmSandboxAsync(tenantId, Chef, default))).Kind);
        // Another tenant's id from this tenant's scope: not found, nothing stored for it.
        Assert.Equal(OutcomeKind.NotFound, (await WithChoiceAsync(otherId, c => c.ConfirmSandboxAsync(tenantId, Chef, default))).Kind);
        Assert.Equal(OutcomeKind.NotFound, (await WithChoiceAsync(tenantId, c => c.ConfirmSandboxAsync(otherId, Chef, default))).Kind);

        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'calendar.sandbox_confirmed' AND actor_email = 'chef@praxis.de'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{otherId}' AND action = 'calendar.sandbox_confirmed'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM sandbox_calendar_confirmations WHERE tenant_id = '{otherId}'"));
        Assert.False((await WithChoiceAsync(otherId, c => c.GetAsync(otherId, default))).SandboxConfirmed);
        var (_, noted) = await BookAsync(otherAdmin, otherFlow, "+491703333333");
        Assert.DoesNotContain(noted.Lines, l => l.Contains("ist eingetragen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connecting_a_calendar_replaces_the_confirmed_test_calendar_and_after_disconnecting_bookings_are_only_noted_again()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        Assert.True((await WithChoiceAsync(tenantId, c => c.GetAsync(tenantId, default))).SandboxConfirmed);

        await host.ConnectAsync(admin, "google");
        var state = await WithChoiceAsync(tenantId, c => c.GetAsync(tenantId, default));
        Assert.Equal(("google", false, true), (state.Provider, state.SandboxConfirmed, state.BookingsConfirmed));
        Assert.StartsWith("Google Kalender: ", state.Label);
        var refused = await WithChoiceAsync(tenantId, c => c.ConfirmSandboxAsync(tenantId, Chef, default));
        Assert.Equal(OutcomeKind.Conflict, refused.Kind);
        Assert.Contains("Google Kalender", refused.Message);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/tenant/connectors/google")).StatusCode);
        var (slotText, noted) = await BookAsync(admin, flowId, "+491704444444");
        Assert.StartsWith($"Ich habe Ihren Wunschtermin am {slotText} notiert.", noted.Lines[0]);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task The_test_calendar_is_labelled_as_such_where_the_tenant_chooses_or_sees_its_calendar()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");

        var choices = await AsTenantAsync(tenantId, (sp, _) => sp.GetRequiredService<ITenantCalendars>().ChoicesAsync(tenantId, default));

        Assert.Equal([new Choice(CalendarGateways.SandboxCalendar, "Testkalender")], choices);
        Assert.Equal("Test calendar", WithCulture("en", () => VoiceAgent.Platform.Resources.Texts.Get("Calendar.Sandbox")));
        Assert.Equal("dem Testkalender", CalendarTexts.Get("Page.Sandbox"));
        Assert.EndsWith("Ohne Verbindung bucht er in den Testkalender.", ConnectorTexts.Get("Page.Intro"));
    }

    private static T WithCulture<T>(string name, Func<T> read)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
        try
        {
            return read();
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    /// <summary>A simulated caller of the sample flow asks for an appointment and takes the first slot offered.</summary>
    private static async Task<(string SlotText, (JsonElement Json, string[] Lines) Booked)> BookAsync(HttpClient admin, Guid flowId, string caller)
    {
        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, caller);
        var slotText = SimulatedCall.Variable(await call.SayAsync("Ich möchte einen Termin vereinbaren"), "slot", "text");
        var booked = await call.SayAsync("Ja, das passt");
        return (slotText, (booked, SimulatedCall.Lines(booked)));
    }
}
