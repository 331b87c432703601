using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// Every page of the portal, as super-admin, tenant admin and tenant user, on a laptop (1366×860) and a phone (390×844),
/// light and dark: no browser console error, and axe-core finds no serious or critical accessibility violation.
/// The pages come from the navigation drawer (what the modules contribute) plus the detail pages behind it.
/// </summary>
public sealed class PortalSweepTests : PortalTest
{
    private const string AdminEmail = "sweep-admin@example.com";
    private const string UserEmail = "sweep-user@example.com";

    public static TheoryData<string> Roles => new() { "super-admin", "tenant-admin", "tenant-user" };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Every_page_renders_without_console_errors_or_serious_accessibility_violations(string role)
    {
        var (tenantId, api) = await Factory.ApprovedTenantAsync(AdminEmail, "Praxis Rundgang");
        await Factory.SeedSampleFlowAsync(tenantId);
        (await api.PostAsJsonAsync("/api/tenant/users", new { email = UserEmail, password = TestData.Password, role = "TenantUser" })).EnsureSuccessStatusCode();
        var (email, password, landing) = role switch
        {
            "super-admin" => (VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword, "/admin"),
            "tenant-admin" => (AdminEmail, TestData.Password, "/app"),
            _ => (UserEmail, TestData.Password, "/app"),
        };
        var details = role switch
        {
            "super-admin" => new[] { $"/admin/tenants/{tenantId}" },
            "tenant-admin" => ["/app/setup"],
            _ => [],
        };

        var findings = new List<string>();
        foreach (var dark in new[] { false, true })
        {
            foreach (var (width, height, mobile) in new[] { (1366, 860, false), (390, 844, true) })
            {
                var page = await NewPageAsync(width, height, mobile);
                await LoginAsync(page, email, password, landing);
                await SetThemeAsync(page, dark);
                var paths = await NavigationPathsAsync(page, mobile);
                Assert.NotEmpty(paths);
                foreach (var path in paths.Concat(details).Where(p => !p.StartsWith("/admin/jobs", StringComparison.Ordinal)))
                {
                    await page.GotoAsync(path);
                    await Expect(page.Locator("h1").First).ToBeVisibleAsync();
                    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                    var result = await page.RunAxe();
                    findings.AddRange(result.Violations
                        .Where(v => v.Impact is "serious" or "critical")
                        .Select(v => $"{role} {width}px {(dark ? "dark" : "light")} {path}: {v.Impact} {v.Id} – {v.Help} @ " +
                                     string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))));
                    AssertNoBrowserProblems();
                }

                if (!mobile && dark == false)
                {
                    await ScreenshotAsync(page, $"sweep-{role}");
                }

                await page.Context.CloseAsync();
            }
        }

        Assert.True(findings.Count == 0, "axe-core:\n" + string.Join("\n", findings.Distinct()));
    }

    private static async Task<IReadOnlyList<string>> NavigationPathsAsync(IPage page, bool mobile)
    {
        if (mobile)
        {
            await page.GetByTestId("drawer-toggle").ClickAsync();
        }

        var nav = page.GetByTestId("nav");
        await Expect(nav.Locator("[data-nav]").First).ToBeAttachedAsync();
        var paths = await nav.Locator("[data-nav]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-nav'))");
        if (mobile)
        {
            await page.Keyboard.PressAsync("Escape");
        }

        return paths;
    }

    private static async Task SetThemeAsync(IPage page, bool dark)
    {
        var toggle = page.GetByTestId("theme-toggle");
        if (await toggle.GetAttributeAsync("aria-pressed") != (dark ? "true" : "false"))
        {
            await toggle.ClickAsync();
            await Expect(toggle).ToHaveAttributeAsync("aria-pressed", dark ? "true" : "false");
        }
    }
}
