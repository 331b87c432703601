using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>The tenant's users page: add (with German field errors), the limit of two, remove with confirm, never oneself.</summary>
public sealed class TenantUsersPageTests : PortalTest
{
    private const string Email = "chef@benutzer.de";

    [Fact]
    public async Task Admin_adds_and_removes_a_user_with_confirmation_but_never_themselves()
    {
        await Factory.ApprovedTenantAsync(Email, "Salon Benutzer GmbH");
        var page = await NewPageAsync();
        await LoginAsync(page, Email, TestData.Password, "/app");
        await page.GotoAsync("/app/users");
        var table = page.GetByTestId("users-table");
        await Expect(table.Locator("tr[data-user-id]")).ToHaveCountAsync(1);
        // The signed-in admin has no remove button on their own row.
        await Expect(page.GetByTestId("remove-user")).ToHaveCountAsync(0);

        // Bad input: a German field error, nothing added.
        await page.GetByTestId("user-email").FillAsync("kein-at-zeichen");
        await page.GetByTestId("user-password").FillAsync(TestData.Password);
        await page.GetByTestId("user-add").ClickAsync();
        await Expect(page.GetByTestId("add-user")).ToContainTextAsync("E-Mail");
        await Expect(table.Locator("tr[data-user-id]")).ToHaveCountAsync(1);

        await page.GetByTestId("user-email").FillAsync("kollegin@benutzer.de");
        await page.GetByTestId("user-add").ClickAsync();
        await Expect(table.Locator("tr[data-user-id]")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("user-limit")).ToContainTextAsync("höchstens 2 Benutzer");
        await ScreenshotAsync(page, "tenant-users");

        // Remove asks first; cancelling keeps the user.
        await page.GetByTestId("remove-user").ClickAsync();
        await page.GetByTestId("dialog-cancel").ClickAsync();
        await Expect(table.Locator("tr[data-user-id]")).ToHaveCountAsync(2);
        await page.GetByTestId("remove-user").ClickAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(table.Locator("tr[data-user-id]")).ToHaveCountAsync(1);
        await Expect(table).Not.ToContainTextAsync("kollegin@benutzer.de");
        await Expect(page.GetByTestId("add-user")).ToBeVisibleAsync();

        AssertNoBrowserProblems();
    }
}
