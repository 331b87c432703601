using System.Net.Http.Json;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>Abläufe: list with live version and numbers, create, rename, duplicate, delete (refused while a number points at it).</summary>
public sealed class FlowsPageTests : PortalTest
{
    private const string Email = "chef@praxis.de";

    [Fact]
    public async Task Flows_are_listed_created_renamed_duplicated_and_deleted_with_confirmation()
    {
        var (tenantId, admin) = await Factory.ApprovedTenantAsync(Email, "Praxis Alpha");
        var sample = await Factory.SeedSampleFlowAsync(tenantId);
        (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1234567", region = "DE", flowId = sample })).EnsureSuccessStatusCode();
        var page = await NewPageAsync(1366, 860);
        await LoginAsync(page, Email, TestData.Password, "/app");

        await page.GotoAsync("/app/flows");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abläufe");
        var terminannahme = page.Locator("tr[data-flow-name='Terminannahme']");
        await Expect(terminannahme).ToContainTextAsync("v1");
        await Expect(terminannahme.GetByTestId("flow-numbers")).ToHaveTextAsync("+49 30 1234567");
        await Expect(terminannahme.GetByTestId("flow-edit")).ToHaveAttributeAsync("href", $"/app/flows/{sample}/designer");

        // A taken name is refused next to the field; nothing is created.
        await page.GetByTestId("flow-name").FillAsync("Terminannahme");
        await page.GetByTestId("flow-create").ClickAsync();
        await Expect(page.GetByTestId("create-flow")).ToContainTextAsync("Es gibt bereits einen Ablauf mit diesem Namen.");
        await Expect(page.Locator("tr[data-flow-id]")).ToHaveCountAsync(1);

        await page.GetByTestId("flow-name").FillAsync("Notdienst");
        await page.GetByTestId("flow-create").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Der Ablauf „Notdienst“ wurde angelegt.");
        var notdienst = page.Locator("tr[data-flow-name='Notdienst']");
        await Expect(notdienst).ToBeVisibleAsync();

        await notdienst.GetByTestId("flow-rename").ClickAsync();
        await page.GetByTestId("rename-input").FillAsync("Notdienst Wochenende");
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Der Ablauf heißt jetzt „Notdienst Wochenende“.");
        var renamed = page.Locator("tr[data-flow-name='Notdienst Wochenende']");

        await renamed.GetByTestId("flow-duplicate").ClickAsync();
        await Expect(page.Locator("tr[data-flow-name='Notdienst Wochenende (Kopie)']")).ToBeVisibleAsync();

        // Deleting asks first; cancelling keeps the flow.
        await renamed.GetByTestId("flow-delete").ClickAsync();
        await Expect(page.GetByTestId("reason-dialog")).ToContainTextAsync("„Notdienst Wochenende“ mit allen Versionen endgültig löschen?");
        await page.GetByTestId("dialog-cancel").ClickAsync();
        await Expect(renamed).ToBeVisibleAsync();

        // Refused while a number points at the flow.
        await terminannahme.GetByTestId("flow-delete").ClickAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("+49 30 1234567");
        await Expect(terminannahme).ToBeVisibleAsync();

        await renamed.GetByTestId("flow-delete").ClickAsync();
        await page.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Der Ablauf „Notdienst Wochenende“ wurde gelöscht.");
        await Expect(page.Locator("tr[data-flow-id]")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "flows");

        AssertNoBrowserProblems();
    }
}
