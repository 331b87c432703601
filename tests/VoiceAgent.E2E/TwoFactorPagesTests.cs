using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// Two-factor authentication in the browser (issue #16, item 5): a super-admin without an authenticator is sent to the
/// enrolment page, enrols with the QR code's key, sees the recovery codes once, and signs in with the second step; a
/// password change ends the other browser's open portal at once. axe-core checks every new page.
/// </summary>
public sealed class TwoFactorPagesTests : PortalTest
{
    private const string Root = "root@test.local";
    private const string Password = "Root-Passwort-123";

    // Open circuits re-check the security stamp every second here (default 15 s), so the test sees the other tab react.
    protected override Task<Dictionary<string, string?>> AppSettingsAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["SignIn:CircuitRevalidationInterval"] = "00:00:01" });

    [Fact]
    public async Task Super_admin_enrols_at_first_login_then_signs_in_with_a_code_and_with_a_recovery_code()
    {
        await Factory.CreateSuperAdminAsync(Root, Password, twoFactor: false);

        var page = await NewPageAsync();
        await LoginAsync(page, Root, Password, "/account/security");
        await Expect(page.GetByTestId("enrolment-required")).ToBeVisibleAsync();
        // Nothing else opens before enrolment.
        await page.GotoAsync("/admin/tenants");
        await page.WaitForURLAsync("**/account/security");
        await Expect(page.GetByTestId("qr-code").Locator("svg")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "account-2fa-enrol");

        var key = (await page.GetByTestId("authenticator-key").InnerTextAsync()).Replace(" ", "").ToUpperInvariant();
        await page.GetByLabel("Sechsstelliger Code aus der App").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Bestätigen und aktivieren" }).ClickAsync();
        var codes = page.GetByTestId("recovery-codes").Locator("li");
        await Expect(codes).ToHaveCountAsync(10);
        var recovery = await codes.Nth(0).InnerTextAsync();
        await AssertAccessibleAsync(page);
        await page.GetByTestId("continue").ClickAsync();
        await page.WaitForURLAsync("**/admin");

        // A second browser: password, then the second step, here with a recovery code.
        var other = await NewPageAsync();
        await other.GotoAsync("/login");
        await other.Locator("#email").FillAsync(Root);
        await other.Locator("#password").FillAsync(Password);
        await other.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true }).ClickAsync();
        await other.WaitForURLAsync("**/login/2fa**");
        await Expect(other.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Bestätigung in zwei Schritten");
        await AssertAccessibleAsync(other);
        await ScreenshotAsync(other, "login-second-step");
        await SecondFactorAsync(other, "falsch-0000");
        await Expect(other.GetByTestId("login-error")).ToContainTextAsync("Der Code ist ungültig");
        await SecondFactorAsync(other, recovery);
        await other.WaitForURLAsync("**/admin");
        await Expect(other.GetByTestId("current-user")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_password_change_ends_the_open_portal_in_the_other_browser()
    {
        var mine = await NewPageAsync();
        var theirs = await NewPageAsync();
        await LoginAsAdminAsync(mine);
        await LoginAsAdminAsync(theirs);
        await theirs.GotoAsync("/admin/tenants");
        await Expect(theirs.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();

        await mine.GotoAsync("/account/security");
        await Expect(mine.GetByTestId("two-factor-status")).ToContainTextAsync("aktiv");
        await AssertAccessibleAsync(mine);
        await mine.GetByLabel("Aktuelles Passwort").FillAsync(VoiceAgentFactory.AdminPassword);
        await mine.GetByLabel("Neues Passwort").FillAsync("Neues-Admin-Passwort-2027");
        await mine.GetByTestId("change-password").ClickAsync();
        await Expect(mine.GetByTestId("security-message")).ToContainTextAsync("Alle anderen Sitzungen wurden beendet");

        // The other browser's open circuit notices by itself and goes to sign-in; this one stays signed in.
        await theirs.WaitForURLAsync("**/login**");
        await mine.GotoAsync("/admin");
        await Expect(mine.GetByTestId("current-user")).ToBeVisibleAsync();
    }

}
