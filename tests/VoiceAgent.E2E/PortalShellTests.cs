using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>The MudBlazor shell: navigation from the modules, interactive pages, colour scheme and language per user.</summary>
public sealed class PortalShellTests : PortalTest
{
    private const string Email = "shell@example.com";

    [Fact]
    public async Task Dark_mode_and_english_stay_with_the_user_after_signing_out_and_in_again()
    {
        await Factory.ApprovedTenantAsync(Email, "Salon Schale GmbH");
        var page = await NewPageAsync();
        await LoginAsync(page, Email, TestData.Password, "/app");

        // The drawer lists the tenant's sections, contributed by the modules.
        var nav = page.GetByTestId("nav");
        await Expect(nav.Locator("[data-nav='/app/calls']")).ToBeVisibleAsync();
        await Expect(nav.Locator("[data-nav='/app/billing']")).ToBeVisibleAsync();
        await Expect(nav.Locator("[data-nav='/admin/tenants']")).ToHaveCountAsync(0);

        // An interactive page loads its data through the tenant's scope.
        await page.GotoAsync("/app/company");
        await Expect(page.Locator("[data-field='companyName']")).ToHaveTextAsync("Salon Schale GmbH");

        var light = await BackgroundAsync(page);
        await page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.NotEqual(light, await BackgroundAsync(page));
        var dark = await BackgroundAsync(page);

        await page.GetByTestId("lang-en").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Company data");

        await page.GetByTestId("logout").ClickAsync();
        await page.WaitForURLAsync("**/login");

        // A new browser (no cookies at all): signing in brings back English and dark.
        var fresh = await NewPageAsync();
        await fresh.GotoAsync("/login");
        await Expect(fresh.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await fresh.Locator("#email").FillAsync(Email);
        await fresh.Locator("#password").FillAsync(TestData.Password);
        await fresh.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true }).ClickAsync();
        await fresh.WaitForURLAsync("**/app");
        await Expect(fresh.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await fresh.GotoAsync("/app/company");
        await Expect(fresh.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Company data");
        await Expect(fresh.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(dark, await BackgroundAsync(fresh));

        AssertNoBrowserProblems();
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
