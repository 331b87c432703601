using Microsoft.Playwright;
using VoiceAgent.Testing;

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
    public async Task Theme_toggle_switches_between_light_and_dark_in_place()
    {
        await Factory.ApprovedTenantAsync("thema@example.com", "Salon Thema");
        var page = await NewPageAsync();
        await LoginAsync(page, "thema@example.com", TestData.Password, "/app");
        var toggle = page.GetByTestId("theme-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Dunkel");
        var light = await BackgroundAsync(page);
        await page.EvaluateAsync("() => window.__samePage = true");

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Hell");
        Assert.NotEqual(light, await BackgroundAsync(page));
        // Switched in place: no page load.
        Assert.True(await page.EvaluateAsync<bool>("() => window.__samePage === true"));
        await ScreenshotAsync(page, "tenant-dashboard-dark");

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(light, await BackgroundAsync(page));

        AssertNoBrowserProblems();
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
