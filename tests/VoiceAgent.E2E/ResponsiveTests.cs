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
    public async Task Navigation_drawer_is_open_on_a_laptop_and_a_menu_on_a_phone()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync("laptop@example.com", "Friseursalon Laptop");
        await Factory.SeedSampleFlowAsync(tenantId);

        var laptop = await NewPageAsync(width: 1366, height: 860);
        await LoginAsync(laptop, "laptop@example.com", TestData.Password, "/app");
        await Expect(laptop.GetByTestId("nav").Locator("[data-nav='/app/company']")).ToBeVisibleAsync();
        await AssertNoHorizontalScrollAsync(laptop);
        var logout = laptop.GetByTestId("logout");
        var box = await logout.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X + box.Width <= 1366, $"'Abmelden' ends at {box.X + box.Width} px, beyond the 1366 px window");
        await ScreenshotAsync(laptop, "laptop-tenant-dashboard");

        var phone = await NewPageAsync(width: 390, height: 844, mobile: true);
        await LoginAsync(phone, "laptop@example.com", TestData.Password, "/app");
        await Expect(phone.GetByTestId("tenant-dashboard")).ToBeVisibleAsync();
        var company = phone.GetByTestId("nav").Locator("[data-nav='/app/company']");
        await Expect(company).Not.ToBeInViewportAsync();
        await AssertNoHorizontalScrollAsync(phone);
        await ScreenshotAsync(phone, "phone-tenant-dashboard");

        await phone.GetByTestId("drawer-toggle").ClickAsync();
        await Expect(company).ToBeInViewportAsync();
        await company.ClickAsync();
        await phone.WaitForURLAsync("**/app/company");
        await Expect(phone.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Firmendaten");

        AssertNoBrowserProblems();
    }

    private static async Task AssertNoHorizontalScrollAsync(Microsoft.Playwright.IPage page)
    {
        var size = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(size[0] <= size[1], $"{page.Url} scrolls horizontally at phone width: scrollWidth {size[0]} > clientWidth {size[1]}");
    }
}
