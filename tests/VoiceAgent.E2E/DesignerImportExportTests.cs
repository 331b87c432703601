using System.Text.Json.Nodes;

namespace VoiceAgent.E2E;

public sealed class DesignerImportExportTests : DesignerTest
{
    [Fact]
    public async Task Exported_flow_imports_back_to_an_equal_definition()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("toolbar-export").ClickAsync());
        Assert.Equal("Terminannahme-v1.json", download.SuggestedFilename);
        var file = Path.Combine(ScreenshotDirectory, "designer-export-Terminannahme-v1.json");
        Directory.CreateDirectory(ScreenshotDirectory);
        await download.SaveAsAsync(file);
        var exported = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.True(JsonNode.DeepEquals(await DefinitionAsync(SampleFlowId, 1), exported), "The export is not the stored definition.");

        // Change the flow (a new draft), then import the exported file over it.
        await SelectAsync(page, "noEvents");
        await page.Keyboard.PressAsync("Delete");
        await WaitSavedAsync(page);
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 2 · Entwurf");
        Assert.DoesNotContain("\"noEvents\"", (await DefinitionAsync(SampleFlowId, 2)).ToJsonString());

        await page.GetByTestId("import-file").SetInputFilesAsync(file);
        await Expect(page.GetByTestId("designer-message")).ToHaveTextAsync("Import gespeichert als Version 2.");
        await Expect(Node(page, "noEvents")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("save-status")).ToHaveAttributeAsync("data-state", "saved");
        await ScreenshotAsync(page, "designer-imported");

        var imported = await DefinitionAsync(SampleFlowId, 2);
        Assert.True(JsonNode.DeepEquals(exported, imported), $"The imported draft differs from the export:\n{imported.ToJsonString()}");
        // Importing never touches the live version.
        Assert.Equal("live", await StatusOfAsync(SampleFlowId, 1));
        Assert.Equal("draft", await StatusOfAsync(SampleFlowId, 2));

        AssertNoBrowserProblems();
    }
}
