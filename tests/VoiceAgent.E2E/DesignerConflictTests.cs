namespace VoiceAgent.E2E;

public sealed class DesignerConflictTests : DesignerTest
{
    [Fact]
    public async Task Second_editor_of_the_same_draft_gets_the_conflict_message_and_keeps_its_version()
    {
        await SetUpTenantAsync();
        var flowId = await CreateFlowAsync("Rückruf-Service");
        var first = await SignedInPageAsync();
        var second = await SignedInPageAsync();
        await OpenDesignerAsync(first, flowId);
        await OpenDesignerAsync(second, flowId);

        // The first editor saves a change of the draft both have open.
        await SelectAsync(first, "goodbye");
        await FillFieldAsync(first, "goodbye", "Fassung A: Wir rufen Sie zurück.");
        await WaitSavedAsync(first);

        // The second editor's save is refused: conflict message, nothing overwritten, nothing lost locally.
        await SelectAsync(second, "goodbye");
        await FillFieldAsync(second, "goodbye", "Fassung B: Bitte rufen Sie später an.");
        var conflict = second.GetByTestId("conflict");
        await Expect(conflict).ToBeVisibleAsync();
        await Expect(second.GetByTestId("save-status")).ToHaveTextAsync("Konflikt");
        await Expect(conflict.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Meine Fassung exportieren" })).ToBeVisibleAsync();
        await Expect(conflict.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Neu laden" })).ToBeVisibleAsync();
        await Expect(second.GetByTestId("field-goodbye").Locator("input")).ToHaveValueAsync("Fassung B: Bitte rufen Sie später an.");
        await ScreenshotAsync(second, "designer-conflict");
        var stored = (await DefinitionAsync(flowId, 1)).ToJsonString();
        Assert.Contains("Fassung A", stored);
        Assert.DoesNotContain("Fassung B", stored);

        // "Export my version" hands out the local definition.
        var download = await second.RunAndWaitForDownloadAsync(() => conflict.GetByTestId("conflict-export").ClickAsync());
        var mine = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("Fassung B: Bitte rufen Sie später an.", mine);

        // Reloading shows the other editor's version.
        await conflict.GetByTestId("conflict-reload").ClickAsync();
        await Expect(Canvas(second)).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await SelectAsync(second, "goodbye");
        await Expect(second.GetByTestId("field-goodbye").Locator("input")).ToHaveValueAsync("Fassung A: Wir rufen Sie zurück.");

        AssertNoBrowserProblems();
    }
}
