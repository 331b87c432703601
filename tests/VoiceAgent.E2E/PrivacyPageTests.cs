using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>The tenant admin's "Datenschutz" page: a caller's export downloads as JSON, erasure asks first, axe-core finds nothing serious.</summary>
public sealed class PrivacyPageTests : PortalTest
{
    private const string Email = "chef@datenschutz.de";
    private const string Caller = "+491703333333";

    [Fact]
    public async Task Admin_downloads_a_callers_export_and_erases_the_number_after_confirming()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Datenschutz GmbH");
        await SeedBookingAsync(tenantId);
        var page = await NewPageAsync();
        await LoginAsync(page, Email, TestData.Password, "/app");
        await page.GotoAsync("/app/privacy");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datenschutz", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("caller-scope")).ToContainTextAsync("externen Kalender");
        await AssertAccessibleAsync(page);

        // Without a reason: a German field error, nothing exported.
        await page.GetByTestId("caller-number").FillAsync("0170 3333333");
        await page.GetByTestId("caller-export").ClickAsync();
        await Expect(page.GetByTestId("privacy-caller")).ToContainTextAsync("Bitte geben Sie einen Anlass an.");

        await page.GetByTestId("caller-reason").FillAsync("Auskunftsersuchen per Brief");
        await page.GetByTestId("caller-export").ClickAsync();
        await Expect(page.GetByTestId("caller-export-ready")).ToContainTextAsync("1 Termine");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("caller-download").ClickAsync());
        Assert.StartsWith("datenauskunft-", download.SuggestedFilename);
        var path = await download.PathAsync();
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(path!)))
        {
            Assert.Equal(Caller, json.RootElement.GetProperty("number").GetString());
            Assert.Equal("Kontrolle Datenschutz", json.RootElement.GetProperty("bookings")[0].GetProperty("title").GetString());
        }

        // Erase asks first; cancelling keeps the data.
        await page.GetByTestId("caller-erase").ClickAsync();
        await Expect(page.GetByTestId("reason-dialog")).ToContainTextAsync("endgültig gelöscht");
        await AssertAccessibleAsync(page);
        await page.GetByTestId("dialog-cancel").ClickAsync();
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE caller_number = '{Caller}'"));

        await page.GetByTestId("caller-erase").ClickAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.GetByTestId("caller-erased")).ToContainTextAsync("1 Termine");
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE caller_number = '{Caller}'"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'privacy.caller_erased' AND details LIKE 'pseud:%'"));
        await ScreenshotAsync(page, "tenant-privacy");

        AssertNoBrowserProblems();
    }


    private async Task SeedBookingAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sandbox_events (id, tenant_id, start_at, end_at, title, caller_number, status, idempotency_key, created_at)
            VALUES (gen_random_uuid(), @t, now() + interval '2 days', now() + interval '2 days 30 minutes', 'Kontrolle Datenschutz', @caller,
                    'confirmed', gen_random_uuid()::text, now())
            """, connection);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("caller", Caller);
        await cmd.ExecuteNonQueryAsync();
    }

}
