using System.Globalization;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// Termine: a tenant books, moves and cancels an appointment by hand in the sandbox calendar; a conflict is refused in German;
/// another tenant's appointments never show.
/// </summary>
public sealed class AppointmentsPageTests : PortalTest
{
    private const string Email = "chef@praxis-termine.de";
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task A_tenant_books_moves_and_cancels_by_hand_and_a_conflict_changes_nothing()
    {
        await Factory.ApprovedTenantAsync(Email, "Praxis Termine");
        var (otherTenant, _) = await Factory.ApprovedTenantAsync("chef@andere-praxis.de", "Andere Praxis");
        var day = NextTuesday();
        await InsertAsync(otherTenant, day, "Geheimtermin der anderen Praxis");

        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");
        await Expect(page.Locator("[data-nav='/app/calendar']")).ToContainTextAsync("Termine");
        await page.Locator("[data-nav='/app/calendar']").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Termine", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("calendar-zone")).ToContainTextAsync("Europe/Berlin");
        await Expect(page.GetByTestId("week-grid")).ToBeVisibleAsync();

        // Book by hand.
        await NewAppointmentAsync(page, "Beratung Müller", day, "10:00", "+49 170 1234567");
        await Expect(Snackbar(page)).ToContainTextAsync("Der Termin ist eingetragen.");
        var events = page.GetByTestId("week-grid").GetByTestId("calendar-event");
        await Expect(events).ToHaveCountAsync(1);
        var booked = events.First;
        await Expect(booked).ToHaveAttributeAsync("data-day", Iso(day));
        await Expect(booked).ToHaveAttributeAsync("data-hour", "10");
        await Expect(booked).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^10:00 Beratung Müller, .*10:00 bis 10:30$"));
        await Expect(page.GetByTestId("calendar-table").Locator("tr[data-event-id]")).ToContainTextAsync("+49 170 1234567");
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "appointments-week");

        // Move it to 11:00.
        await booked.ClickAsync();
        await Time(page).FillAsync("11:00");
        await Time(page).PressAsync("Tab");
        await page.GetByTestId("appointment-save").ClickAsync();
        await Expect(Snackbar(page)).ToContainTextAsync("Der Termin ist verschoben.");
        await Expect(events).ToHaveCountAsync(1);
        await Expect(events.First).ToHaveAttributeAsync("data-hour", "11");

        // A second appointment, then one that overlaps it: refused in German, nothing changes.
        await NewAppointmentAsync(page, "Zweiter Termin", day, "14:00", null);
        await Expect(events).ToHaveCountAsync(2);
        await NewAppointmentAsync(page, "Überschneidung", day, "14:15", null);
        await Expect(page.GetByTestId("appointment-error"))
            .ToHaveTextAsync("Zu dieser Zeit ist schon ein Termin eingetragen. Bitte wählen Sie eine andere Zeit; es wurde nichts geändert.");
        await page.GetByTestId("appointment-close").ClickAsync();
        await Expect(events).ToHaveCountAsync(2);

        // Cancel the first one (confirmation first).
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^11:00 Beratung Müller") }).First.ClickAsync();
        await page.GetByTestId("appointment-cancel").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Absagen", Exact = true }).ClickAsync();
        await Expect(Snackbar(page)).ToContainTextAsync("Der Termin ist abgesagt.");
        await Expect(events).ToHaveCountAsync(1);
        await Expect(events.First).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^14:00 Zweiter Termin"));

        // The month view shows the same; the other tenant's appointment shows nowhere.
        await page.GetByTestId("calendar-view").GetByText("Monat", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("month-grid").Locator($"td[data-day='{Iso(day)}']").GetByTestId("calendar-event")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page);
        await Expect(page.GetByText("Geheimtermin der anderen Praxis")).ToHaveCountAsync(0);
        Assert.DoesNotContain("Geheimtermin", await page.ContentAsync());
        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task On_a_phone_the_week_is_an_agenda_list()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Termine");
        var day = NextTuesday();
        await InsertAsync(tenantId, day, "Kontrolle");

        var page = await NewPageAsync(390, 844, mobile: true);
        await LoginAsync(page, Email, TestData.Password, "/app");
        await page.GotoAsync($"/app/calendar?date={Iso(day)}");
        await Expect(page.GetByTestId("calendar-agenda")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("week-grid")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("calendar-agenda").GetByTestId("calendar-event")).ToContainTextAsync("10:00 Kontrolle");
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "appointments-phone");
        AssertNoBrowserProblems();
    }

    private static async Task NewAppointmentAsync(IPage page, string title, DateOnly day, string time, string? number)
    {
        await page.GetByTestId("appointment-new").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Titel").FillAsync(title);
        await dialog.GetByLabel("Datum").FillAsync(day.ToString("dd.MM.yyyy", German));
        await dialog.GetByLabel("Datum").PressAsync("Tab");
        await Time(page).FillAsync(time);
        await Time(page).PressAsync("Tab");
        if (number is not null)
        {
            await dialog.GetByLabel("Telefonnummer des Anrufers").FillAsync(number);
        }

        await page.GetByTestId("appointment-save").ClickAsync();
    }

    private static ILocator Time(IPage page) => page.GetByRole(AriaRole.Dialog).GetByLabel("Uhrzeit", new() { Exact = true });

    private static ILocator Snackbar(IPage page) => page.Locator(".mud-snackbar").Last;

    // The page's own content (the shell's app bar is checked by the shell's tests).

    private async Task InsertAsync(Guid tenantId, DateOnly day, string title)
    {
        var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), Berlin.GetUtcOffset(day.ToDateTime(new TimeOnly(10, 0))));
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sandbox_events (id, tenant_id, start_at, end_at, title, status, idempotency_key, created_at)
            VALUES (gen_random_uuid(), @tenant, @start, @end, @title, 'confirmed', gen_random_uuid()::text, now())
            """, connection);
        cmd.Parameters.AddWithValue("tenant", tenantId);
        cmd.Parameters.AddWithValue("start", start.ToUniversalTime());
        cmd.Parameters.AddWithValue("end", start.AddMinutes(30).ToUniversalTime());
        cmd.Parameters.AddWithValue("title", title);
        await cmd.ExecuteNonQueryAsync();
    }

    // Next week's Tuesday: always in the future, never on a DST change, and the week the page jumps to after booking.
    private static DateOnly NextTuesday()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Berlin).Date);
        var next = today.AddDays(7);
        while (next.DayOfWeek != DayOfWeek.Tuesday)
        {
            next = next.AddDays(1);
        }

        return next;
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
