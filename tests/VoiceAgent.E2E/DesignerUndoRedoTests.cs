using System.Text.Json.Nodes;

namespace VoiceAgent.E2E;

public sealed class DesignerUndoRedoTests : DesignerTest
{
    [Fact]
    public async Task Undoing_a_sequence_of_edits_restores_the_same_json_and_redo_repeats_them()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        var original = await DefinitionAsync(SampleFlowId, 1);

        // 1. a property (typed, then the field is left)
        await SelectAsync(page, "greeting");
        await FillFieldAsync(page, "text", "Hallo, hier ist die Praxis. Was kann ich für Sie tun?");
        // 2. a choice
        await SelectAsync(page, "preference");
        await ChooseAsync(page, "expectation", "text");
        // 3. a move (dragging the node's title)
        var box = (await Node(page, "noSlots").Locator("rect").First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + 40, box.Y + 10);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 40, box.Y + 90, new() { Steps = 6 });
        await page.Mouse.UpAsync();
        // 4. a delete (node and its connections) with the Del key
        await SelectAsync(page, "tellEvent");
        await page.Keyboard.PressAsync("Delete");
        await Expect(Node(page, "tellEvent")).ToHaveCountAsync(0);
        // 5. an activity added from the toolbox with the keyboard, 6. connected through the panel
        await page.GetByTestId("tool-SetVariable").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("setVariable1");
        await FillFieldAsync(page, "name", "kundenart");
        await page.GetByTestId("outcome-Done").SelectOptionAsync("goodbye");
        await WaitSavedAsync(page);
        await ScreenshotAsync(page, "designer-undo-edited");

        var edited = await DefinitionAsync(SampleFlowId, 2);
        Assert.False(JsonNode.DeepEquals(original, edited), "The edits did not change the saved draft.");
        Assert.Contains("setVariable1", edited.ToJsonString());

        // Undo everything with Ctrl+Z (on the canvas, not in a text field) ...
        await Canvas(page).FocusAsync();
        var undo = page.GetByTestId("toolbar-undo");
        var steps = 0;
        while (await undo.IsEnabledAsync())
        {
            await page.Keyboard.PressAsync("Control+z");
            Assert.True(++steps <= 12, "More undo steps than edits.");
        }

        Assert.Equal(7, steps);
        await Expect(Node(page, "tellEvent")).ToHaveCountAsync(1);
        await Expect(Node(page, "setVariable1")).ToHaveCountAsync(0);
        await WaitSavedAsync(page);
        var undone = await DefinitionAsync(SampleFlowId, 2);
        Assert.True(JsonNode.DeepEquals(original, undone), $"After undo the draft differs from the original:\n{undone.ToJsonString()}");

        // ... and redo it with Ctrl+Y.
        var redo = page.GetByTestId("toolbar-redo");
        while (await redo.IsEnabledAsync())
        {
            await page.Keyboard.PressAsync("Control+y");
        }

        await Expect(Node(page, "tellEvent")).ToHaveCountAsync(0);
        await Expect(Node(page, "setVariable1")).ToHaveCountAsync(1);
        await WaitSavedAsync(page);
        var redone = await DefinitionAsync(SampleFlowId, 2);
        Assert.True(JsonNode.DeepEquals(edited, redone), $"After redo the draft differs from the edited one:\n{redone.ToJsonString()}");
        await ScreenshotAsync(page, "designer-undo-redone");

        AssertNoBrowserProblems();
    }
}
