using System.Text.Json.Nodes;

namespace VoiceAgent.E2E;

public sealed class DesignerImportUndoTests : DesignerTest
{
    [Fact]
    public async Task An_import_is_one_undo_step_that_brings_back_the_previous_flow_and_redo_applies_it_again()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        var original = await DefinitionAsync(SampleFlowId, 1);

        // A file that differs in every way an import can: a node gone (with its connections), a text changed, a node
        // moved, a new node, a note, another variable.
        var file = JsonNode.Parse(original.ToJsonString())!.AsObject();
        var nodes = file["nodes"]!.AsArray();
        nodes.Remove(nodes.Single(n => (string)n!["id"]! == "noEvents"));
        var connections = file["connections"]!.AsArray();
        foreach (var c in connections.Where(c => (string)c!["to"]! == "noEvents" || (string)c!["from"]! == "noEvents").ToList())
        {
            connections.Remove(c);
        }

        connections.Add(new JsonObject { ["from"] = "listEvents", ["outcome"] = "NotFound", ["to"] = "sorry" });
        connections.Add(new JsonObject { ["from"] = "cancelLookup", ["outcome"] = "NotFound", ["to"] = "sorry" });
        connections.Add(new JsonObject { ["from"] = "cancelEvent", ["outcome"] = "NotFound", ["to"] = "sorry" });
        connections.Add(new JsonObject { ["from"] = "sorry", ["outcome"] = "Done", ["to"] = "anythingElse" });
        var greeting = nodes.Single(n => (string)n!["id"]! == "greeting")!;
        greeting["inputs"]!["text"] = "Guten Tag, Sie sprechen mit dem KI-Assistenten der Praxis.";
        greeting["position"]!["x"] = (double)greeting["position"]!["x"]! - 300;
        var goodbye = JsonNode.Parse(nodes.Single(n => (string)n!["id"]! == "goodbye")!.ToJsonString())!.AsObject();
        nodes.Add(new JsonObject
        {
            ["id"] = "sorry", ["type"] = "Speak", ["inputs"] = new JsonObject { ["text"] = "Dazu habe ich nichts gefunden." },
            ["position"] = new JsonObject { ["x"] = (double)goodbye["position"]!["x"]! + 600, ["y"] = goodbye["position"]!["y"]!.DeepClone() },
        });
        file["notes"] = new JsonArray(new JsonObject { ["id"] = "note1", ["text"] = "Importiert", ["x"] = -400, ["y"] = 0, ["width"] = 200, ["height"] = 120 });
        file["variables"]!.AsArray().Add(new JsonObject { ["name"] = "praxis", ["default"] = "Dr. Designer" });
        var path = Path.Combine(ScreenshotDirectory, "designer-import-undo.json");
        Directory.CreateDirectory(ScreenshotDirectory);
        await File.WriteAllTextAsync(path, file.ToJsonString());

        await page.GetByTestId("import-file").SetInputFilesAsync(path);
        await Expect(page.GetByTestId("designer-message")).ToHaveTextAsync("Import gespeichert als Version 2.");
        // The whole flow in view (only what is in view is drawn).
        var fit = page.GetByTestId("toolbar-fit");
        await fit.ClickAsync();
        await Expect(Node(page, "sorry")).ToHaveCountAsync(1);
        await Expect(Node(page, "noEvents")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("save-status")).ToHaveAttributeAsync("data-state", "saved");
        var imported = await DefinitionAsync(SampleFlowId, 2);
        await Expect(page.GetByTestId("toolbar-undo")).ToBeEnabledAsync();

        // Ctrl+Z: the flow from before the import, saved into the new draft.
        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await fit.ClickAsync();
        await Canvas(page).FocusAsync();
        await Expect(Node(page, "noEvents")).ToHaveCountAsync(1);
        await Expect(Node(page, "sorry")).ToHaveCountAsync(0);
        await Expect(Canvas(page).Locator("g[data-cell-id='note:note1']")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("toolbar-undo")).ToBeDisabledAsync();
        await WaitSavedAsync(page);
        var undone = await DefinitionAsync(SampleFlowId, 2);
        Assert.True(JsonNode.DeepEquals(original, undone), $"After undo the draft is not the flow from before the import:\n{undone.ToJsonString()}");

        // Ctrl+Y (and Ctrl+Shift+Z after another undo) applies the import again.
        await page.Keyboard.PressAsync("Control+y");
        await fit.ClickAsync();
        await Canvas(page).FocusAsync();
        await Expect(Node(page, "sorry")).ToHaveCountAsync(1);
        await Expect(Canvas(page).Locator("g[data-cell-id='note:note1']")).ToContainTextAsync("Importiert");
        await WaitSavedAsync(page);
        Assert.True(JsonNode.DeepEquals(imported, await DefinitionAsync(SampleFlowId, 2)), "After redo the draft is not the import.");
        await page.Keyboard.PressAsync("Control+z");
        await Expect(Node(page, "sorry")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Control+Shift+z");
        await fit.ClickAsync();
        await Expect(Node(page, "sorry")).ToHaveCountAsync(1);
        await WaitSavedAsync(page);
        Assert.True(JsonNode.DeepEquals(imported, await DefinitionAsync(SampleFlowId, 2)), "After the second redo the draft is not the import.");
        await ScreenshotAsync(page, "designer-import-redone");

        AssertNoBrowserProblems();
    }
}
