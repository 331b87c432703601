using Microsoft.Playwright;

namespace VoiceAgent.E2E;

public sealed class HeaderTests : PortalTest
{
    [Fact]
    public async Task Login_page_is_german_by_default_and_switches_to_english()
    {
        // The browser context asks for English (Locale en-US); the portal still starts in German.
        var page = await NewPageAsync();
        await page.GotoAsync("/login");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Anmelden");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "login-de");

        await page.GetByRole(AriaRole.Link, new() { Name = "EN", Exact = true }).ClickAsync();

        // Back on the same page, now in English.
        await page.WaitForURLAsync("**/login");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "login-en");

        // The choice sticks (cookie) and DE switches back.
        await page.GotoAsync("/register");
        await Expect(page.GetByTestId("step-title")).ToHaveTextAsync("Company & access");
        await page.GetByRole(AriaRole.Link, new() { Name = "DE", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/register");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(page.GetByTestId("step-title")).ToHaveTextAsync("Firma & Zugang");

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Theme_toggle_switches_between_light_and_dark()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/login");
        var html = page.Locator("html");
        var toggle = page.GetByTestId("theme-toggle");
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");
        await Expect(toggle).ToHaveTextAsync("Dunkel");

        await toggle.ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "dark");
        await Expect(toggle).ToHaveTextAsync("Hell");
        await Expect(page).ToHaveURLAsync(BaseUrl + "/login");
        await ScreenshotAsync(page, "login-dark");

        await toggle.ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");
        await Expect(toggle).ToHaveTextAsync("Dunkel");

        AssertNoBrowserProblems();
    }
}
