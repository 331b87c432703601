using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.E2E;

/// <summary>
/// A tenant admin connects Google Calendar through the (fake) Google consent page, picks the calendar to book into, and
/// sees on "Kalender & Verbindungen" the booking a simulated call made there (and on Termine), tests the connection and sees a revoked grant.
/// </summary>
public sealed class ConnectorTests : PortalTest, IAsyncLifetime
{
    private const string Email = "chef@praxis-weber.de";
    private const string Caller = "+4915112345678";

    private FakeGoogleCalendarServer google = null!;

    protected override async Task<Dictionary<string, string?>> AppSettingsAsync()
    {
        google = await FakeGoogleCalendarServer.StartAsync();
        return new Dictionary<string, string?>(google.Settings()) { ["Calendars:RunWorker"] = "false" };
    }

    [Fact]
    public async Task A_tenant_admin_connects_google_picks_a_calendar_and_sees_the_booking_of_a_simulated_call()
    {
        var operatorApi = await Factory.LoginAsAdminAsync();
        (await operatorApi.PutAsJsonAsync("/api/admin/settings/google.client_id", new { value = google.OAuth.ClientId })).EnsureSuccessStatusCode();
        (await operatorApi.PutAsJsonAsync("/api/admin/settings/google.client_secret", new { value = google.OAuth.ClientSecret })).EnsureSuccessStatusCode();
        var (tenantId, api) = await Factory.ApprovedTenantAsync(Email, "Praxis Dr. Weber");
        var flowId = await Factory.SeedSampleFlowAsync(tenantId);

        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");
        await page.Locator("[data-nav='/app/connectors']").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Kalender & Verbindungen", Level = 1 })).ToBeVisibleAsync();
        var card = page.GetByTestId("connector-google");
        await Expect(card.GetByTestId("connector-status")).ToHaveTextAsync("Nicht verbunden");
        await Expect(page.GetByTestId("connector-hubspot")).ToContainTextAsync("Demnächst verfügbar");
        await Expect(page.GetByTestId("connector-hubspot")).ToContainTextAsync("HubSpot");

        // Google's consent page (the fake; a full page navigation through the API), then back to the portal.
        await card.GetByTestId("connector-connect").ClickAsync();
        await page.WaitForURLAsync(google.BaseUrl + "**");
        await Expect(page.GetByTestId("fake-account")).ToHaveTextAsync(FakeGoogleCalendarServer.PrimaryCalendar);
        await page.GetByRole(AriaRole.Button, new() { Name = "Zulassen" }).ClickAsync();
        await page.WaitForURLAsync("**/app/connectors?connected=google");
        await Expect(page.GetByTestId("connectors-message")).ToContainTextAsync("Google Kalender ist verbunden");
        await Expect(card.GetByTestId("connector-status")).ToHaveTextAsync("Verbunden");
        await Expect(card.GetByTestId("connector-account")).ToHaveTextAsync(FakeGoogleCalendarServer.PrimaryCalendar);

        await card.GetByTestId("calendar-select").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Team", new() { Exact = true }).ClickAsync();
        await card.GetByTestId("calendar-use").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Termine werden jetzt in „Team“ eingetragen.");
        await Expect(card.GetByTestId("connector-active")).ToBeVisibleAsync();
        await Expect(card.GetByTestId("connector-calendar")).ToHaveTextAsync("Team");

        // "Verbindung testen" makes the real call.
        await card.GetByTestId("connector-test").ClickAsync();
        await Expect(card.GetByTestId("connector-test-result")).ToContainTextAsync("Verbindung funktioniert");
        await ScreenshotAsync(page, "connectors-google-connected");

        // A caller books through the simulator (the designer's test console uses the same API).
        var start = await api.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = Caller });
        var sessionId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetGuid();
        var offer = await SayAsync(api, flowId, sessionId, "Ich hätte gern einen Termin");
        var booked = await SayAsync(api, flowId, sessionId, "Ja, gerne");
        Assert.Contains("ist eingetragen", booked.GetProperty("lines")[0].GetString());
        var evt = Assert.Single(google.Events);
        Assert.Equal(FakeGoogleCalendarServer.TeamCalendar, evt.CalendarId);
        Assert.Equal(DateTimeOffset.Parse(offer.GetProperty("variables").GetProperty("slot").GetProperty("start").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture), evt.Start);

        await page.ReloadAsync();
        var row = page.GetByTestId("bookings-table").Locator("tbody tr[data-status='created']");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync($"Termin {Caller}");
        await Expect(row).ToContainTextAsync("Eingetragen");
        await Expect(row).ToContainTextAsync("Google Kalender");
        await Expect(page.GetByTestId("connector-google").GetByTestId("connector-last-success")).Not.ToHaveTextAsync("–");
        await ScreenshotAsync(page, "connectors-booking");

        // Termine reads the connected calendar.
        await page.Locator("[data-nav='/app/calendar']").ClickAsync();
        await Expect(page.GetByTestId("calendar-zone")).ToContainTextAsync("Google Kalender");
        await Expect(page.GetByTestId("calendar-table").Locator("tr[data-event-id]")).ToContainTextAsync($"Termin {Caller}");

        // The grant is revoked at Google: the test shows the real failure and the page asks to reconnect.
        await page.Locator("[data-nav='/app/connectors']").ClickAsync();
        await Expect(card.GetByTestId("connector-test")).ToBeVisibleAsync();
        google.OAuth.RevokeGrant();
        await card.GetByTestId("connector-test").ClickAsync();
        await Expect(card.GetByTestId("connector-test-result")).ToContainTextAsync("Verbindung fehlgeschlagen");
        await Expect(page.GetByTestId("connector-broken-alert")).ToContainTextAsync("ist unterbrochen");
        await Expect(card.GetByTestId("connector-connect")).ToHaveTextAsync("Neu verbinden");
        AssertNoBrowserProblems();
    }

    private static async Task<JsonElement> SayAsync(HttpClient api, Guid flowId, Guid sessionId, string text)
    {
        var response = await api.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{sessionId}/turns", new { text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await DisposeAsync();
        }
        finally
        {
            await google.DisposeAsync();
        }
    }
}
