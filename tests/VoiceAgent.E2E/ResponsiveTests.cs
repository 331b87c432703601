using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

public sealed class ResponsiveTests : PortalTest
{
    [Fact]
    public async Task Portal_works_at_phone_width()
    {
        // A tenant in the admin's table, so the dashboard shows real rows at this width.
        await Factory.RegisterAsync(TestData.Registration("klein@example.com", "Physiotherapie Dr. Maximiliane Langename-Beispiel GmbH & Co. KG"));

        var page = await NewPageAsync(width: 390, height: 844, mobile: true);
        await page.GotoAsync("/login");
        await Expect(page.Locator("#email")).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(page);
        await ScreenshotAsync(page, "phone-login");

        await LoginAsAdminAsync(page);
        await Expect(page.GetByTestId("admin-dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("tenant-table").Locator("tr[data-tenant-id]")).ToHaveCountAsync(1);
        await AssertNoHorizontalScrollAsync(page);
        await ScreenshotAsync(page, "phone-admin-dashboard");

        AssertNoBrowserProblems();
    }

    private static async Task AssertNoHorizontalScrollAsync(Microsoft.Playwright.IPage page)
    {
        var size = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(size[0] <= size[1], $"{page.Url} scrolls horizontally at phone width: scrollWidth {size[0]} > clientWidth {size[1]}");
    }
}
