using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>Rufnummern: bind with validation (nothing stored on bad input), release after confirmation.</summary>
public sealed class NumbersPageTests : PortalTest
{
    private const string Email = "chef@praxis.de";

    [Fact]
    public async Task A_number_is_bound_to_a_flow_an_invalid_one_is_refused_in_german_and_a_release_asks_first()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Alpha");
        await Factory.SeedSampleFlowAsync(tenantId);
        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");

        await page.GotoAsync("/app/numbers");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Rufnummern");
        await Expect(page.GetByTestId("numbers-table")).ToContainTextAsync("Noch keine Rufnummer verbunden.");
        await Expect(page.GetByTestId("twilio-account-status")).ToHaveTextAsync("Ihre Nummern nutzen das Twilio-Konto der Plattform.");

        var number = page.GetByTestId("number-input");
        await number.FillAsync("112");
        await page.GetByTestId("number-connect").ClickAsync();
        await Expect(page.GetByTestId("bind-number")).ToContainTextAsync("112");
        await Expect(page.Locator("tr[data-number]")).ToHaveCountAsync(0);

        await number.FillAsync("030 / 123 45 67");
        await page.GetByTestId("number-connect").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("+49 30 1234567 ist jetzt verbunden.");
        var row = page.Locator("tr[data-number='+49301234567']");
        await Expect(row).ToContainTextAsync("Terminannahme");
        await ScreenshotAsync(page, "numbers");

        await row.GetByTestId("number-release").ClickAsync();
        await page.GetByTestId("dialog-cancel").ClickAsync();
        await Expect(row).ToBeVisibleAsync();
        await row.GetByTestId("number-release").ClickAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Die Rufnummer wurde freigegeben.");
        await Expect(page.Locator("tr[data-number]")).ToHaveCountAsync(0);

        AssertNoBrowserProblems();
    }
}
