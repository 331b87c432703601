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

    [Fact]
    public async Task Tenant_navigation_fits_a_laptop_screen()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync("laptop@example.com", "Friseursalon Laptop");
        await Factory.SeedSampleFlowAsync(tenantId);

        var page = await NewPageAsync(width: 1280, height: 720);
        await LoginAsync(page, "laptop@example.com", TestData.Password, "/app");
        await AssertNoHorizontalScrollAsync(page);
        var logout = page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Abmelden" });
        var box = await logout.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X + box.Width <= 1280, $"'Abmelden' ends at {box.X + box.Width} px, beyond the 1280 px window");
        await ScreenshotAsync(page, "laptop-tenant-dashboard");

        AssertNoBrowserProblems();
    }

    private static async Task AssertNoHorizontalScrollAsync(Microsoft.Playwright.IPage page)
    {
        var size = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(size[0] <= size[1], $"{page.Url} scrolls horizontally at phone width: scrollWidth {size[0]} > clientWidth {size[1]}");
    }
}
