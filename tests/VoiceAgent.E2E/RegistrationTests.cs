using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

public sealed class RegistrationTests : PortalTest
{
    private const string Company = "Salon Schnitt GmbH";
    private const string Email = "erika@salon-schnitt.de";

    [Fact]
    public async Task Company_registers_in_three_steps_waits_for_approval_and_reaches_dashboard_after_super_admin_approves()
    {
        // --- The company registers (its own browser context) ---
        var tenant = await NewPageAsync();
        await tenant.GotoAsync("/register");
        var stepTitle = tenant.GetByTestId("step-title");
        var next = tenant.GetByTestId("register-next");

        await Expect(stepTitle).ToHaveTextAsync("Firma & Zugang");
        await ScreenshotAsync(tenant, "register-step1");
        await tenant.Locator("#companyName").FillAsync(Company);
        await tenant.Locator("#contactPerson").FillAsync("Erika Mustermann");
        await tenant.Locator("#email").FillAsync(Email);
        await tenant.Locator("#password").FillAsync(TestData.Password);
        await Expect(next).ToHaveTextAsync("Weiter");
        await next.ClickAsync();

        await Expect(stepTitle).ToHaveTextAsync("Adresse & Telefon");
        await Expect(tenant.GetByRole(AriaRole.Button, new() { Name = "Zurück" })).ToBeVisibleAsync();
        await tenant.Locator("#street").FillAsync("Hauptstraße");
        await tenant.Locator("#houseNumber").FillAsync("12a");
        await tenant.Locator("#postalCode").FillAsync("123");
        await tenant.Locator("#city").FillAsync("München");
        await tenant.Locator("#phone").FillAsync("+49 89 1234567");
        await next.ClickAsync();

        // A German postal code has five digits: the step stays, with a German message at the field.
        await Expect(FieldError(tenant, "postalCode")).ToHaveTextAsync("Eine deutsche Postleitzahl hat genau 5 Ziffern.");
        await Expect(tenant.GetByTestId("register-errors")).ToHaveTextAsync("Bitte korrigieren Sie die markierten Felder.");
        await Expect(stepTitle).ToHaveTextAsync("Adresse & Telefon");
        await Expect(tenant.Locator("#postalCode")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(tenant.Locator("#city")).ToHaveValueAsync("München");
        await ScreenshotAsync(tenant, "register-step2-postal-code-error");

        // Back keeps what was typed; forward again validates again.
        await tenant.GetByTestId("register-back").ClickAsync();
        await Expect(stepTitle).ToHaveTextAsync("Firma & Zugang");
        await Expect(tenant.Locator("#companyName")).ToHaveValueAsync(Company);
        await next.ClickAsync();
        await Expect(stepTitle).ToHaveTextAsync("Adresse & Telefon");

        await tenant.Locator("#postalCode").FillAsync("80331");
        await next.ClickAsync();

        await Expect(stepTitle).ToHaveTextAsync("Steuerdaten");
        await tenant.Locator("#taxNumber").FillAsync("143/123/45678");
        await tenant.Locator("#vatId").FillAsync("DE123456789");
        await tenant.Locator("#website").FillAsync("www.salon-schnitt.de");
        await tenant.Locator("#industry").FillAsync("Friseursal");
        // Choose the suggestion; the list closes before "Registrierung absenden" is clicked.
        await tenant.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Friseursalon" }).ClickAsync();
        await Expect(tenant.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await Expect(tenant.Locator("#industry")).ToHaveValueAsync("Friseursalon");
        await Expect(next).ToHaveTextAsync("Registrierung absenden");
        await next.ClickAsync();

        // Signed in, waiting for approval.
        await tenant.WaitForURLAsync("**/status");
        var status = tenant.GetByTestId("tenant-status");
        await Expect(status).ToHaveAttributeAsync("data-status", "pending");
        await Expect(status.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Ihre Registrierung wird geprüft");
        await Expect(status).ToContainTextAsync(Company);
        await ScreenshotAsync(tenant, "status-pending");

        // The dashboard is closed until the company is approved.
        await tenant.GotoAsync("/app");
        await tenant.WaitForURLAsync("**/status");
        // --- The super-admin approves (a second browser context, own cookies) ---
        var admin = await NewPageAsync();
        await LoginAsAdminAsync(admin);
        await Expect(admin.GetByTestId("admin-dashboard")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("count-pending")).ToContainTextAsync("1");
        await ScreenshotAsync(admin, "admin-dashboard-pending");

        // The pending badge leads to the filtered tenants grid.
        await admin.GetByTestId("pending-badge").GetByRole(AriaRole.Link).ClickAsync();
        await admin.WaitForURLAsync("**/admin/tenants?status=pending");
        var rows = admin.GetByTestId("tenant-table").Locator("a[data-tenant-id]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveTextAsync(Company);
        await ScreenshotAsync(admin, "admin-tenants-pending");

        await rows.First.ClickAsync();
        await admin.WaitForURLAsync("**/admin/tenants/*");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(Company);

        var approve = admin.GetByTestId("approve");
        await Expect(approve).ToHaveTextAsync("Freischalten");
        await approve.ClickAsync();
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.Locator(".page-header [data-status]")).ToHaveAttributeAsync("data-status", "approved");
        await Expect(admin.GetByTestId("approve")).ToHaveCountAsync(0);
        await ScreenshotAsync(admin, "admin-tenant-approved");

        // --- The company now starts in the setup wizard (issue #15); skipped, it reaches its dashboard, also after signing in again ---
        await tenant.ReloadAsync();
        await tenant.WaitForURLAsync("**/app/setup");
        await Expect(tenant.GetByTestId("setup-step-number")).ToBeVisibleAsync();
        await tenant.GetByTestId("setup-skip").ClickAsync();
        await tenant.WaitForURLAsync("**/app");
        var welcome = tenant.GetByTestId("tenant-dashboard");
        await Expect(welcome).ToHaveTextAsync($"Willkommen, {Company}");
        await Expect(tenant.GetByTestId("setup-banner")).ToContainTextAsync("Rufnummer");

        await tenant.GetByTestId("logout").ClickAsync();
        await tenant.WaitForURLAsync("**/login");
        await LoginAsync(tenant, Email, TestData.Password, "/app");
        await Expect(welcome).ToHaveTextAsync($"Willkommen, {Company}");
        await ScreenshotAsync(tenant, "tenant-dashboard-new");

        AssertNoBrowserProblems();
    }

    private static ILocator FieldError(IPage page, string id) => page.Locator($".mud-input-control:has(#{id}) .mud-input-helper-text.mud-input-error");
}
