using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

public sealed class SecurityTests : PortalTest
{
    [Fact]
    public async Task Registration_renders_script_input_as_text()
    {
        // If this markup were rendered as HTML, the broken image would fire alert(1): a dialog (and a console error
        // for the missing /x) fails the test through the watchers in PortalTest.
        const string payload = "<img src=x onerror=alert(1)>";
        var id = await Factory.RegisterAsync(TestData.Registration("xss@example.com").With("companyName", payload));

        var admin = await NewPageAsync();
        await LoginAsAdminAsync(admin);

        // The dashboard's latest registrations.
        var latest = admin.GetByTestId("tenant-table").Locator($"tr[data-tenant-id='{id}'] td").First;
        await Expect(latest).ToHaveTextAsync(payload);

        await admin.GotoAsync("/admin/tenants");
        var table = admin.GetByTestId("tenant-table");
        var link = table.Locator($"a[data-tenant-id='{id}']");
        await Expect(link).ToHaveTextAsync(payload);
        Assert.Equal(payload, await link.InnerTextAsync());
        await Expect(table.Locator("img")).ToHaveCountAsync(0);
        await ScreenshotAsync(admin, "admin-tenants-script-name");

        // The detail page shows it as the heading text (and the page title).
        await Expect(link).ToHaveAttributeAsync("href", $"/admin/tenants/{id}");
        await admin.GotoAsync($"/admin/tenants/{id}");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(payload);
        await Expect(admin.Locator("main img")).ToHaveCountAsync(0);
        Assert.Equal(payload + " · VoiceAgent", await admin.TitleAsync());

        AssertNoBrowserProblems();
    }
}
