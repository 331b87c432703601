using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace VoiceAgent.E2E;

public sealed class DesignerNotesTests : DesignerTest
{
    private const string Text = "Rückrufe bitte bis 17 Uhr – sagt Frau Berger.";

    [Fact]
    public async Task A_note_is_added_written_moved_resized_saved_with_the_flow_undone_and_redone_and_is_there_after_a_reload()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        var note = Canvas(page).Locator("g[data-cell-id='note:note1']");

        // Add (the text field gets the focus), write, leave the field.
        await page.GetByTestId("toolbar-note").ClickAsync();
        await Expect(note).ToBeVisibleAsync();
        var field = page.GetByTestId("note-text");
        await Expect(field).ToBeFocusedAsync();
        await field.FillAsync(Text);
        await field.BlurAsync();
        await Expect(note).ToContainTextAsync("Rückrufe bitte");

        // Move it by dragging.
        var (x, y) = await VisiblePointAsync(page, "note:note1");
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x + 80, y + 40, new() { Steps = 6 });
        await page.Mouse.UpAsync();
        await WaitSavedAsync(page);
        var saved = Assert.Single(Notes(await DefinitionAsync(SampleFlowId, 2)));
        Assert.Equal(Text, (string)saved!["text"]!);
        Assert.Equal("note1", (string)saved["id"]!);
        Assert.Equal(200, (double)saved["width"]!);

        // Undo: the move, the text, the note itself; redo brings all back.
        await Canvas(page).FocusAsync();
        for (var i = 0; i < 3; i++)
        {
            await page.Keyboard.PressAsync("Control+z");
        }

        await Expect(note).ToHaveCountAsync(0);
        await WaitSavedAsync(page);
        Assert.Empty(Notes(await DefinitionAsync(SampleFlowId, 2)));
        Assert.False((await DefinitionAsync(SampleFlowId, 2)).AsObject().ContainsKey("notes"), "A flow without notes stores none.");
        for (var i = 0; i < 3; i++)
        {
            await page.Keyboard.PressAsync("Control+Shift+z");
        }

        await Expect(note).ToContainTextAsync("Rückrufe bitte");
        await WaitSavedAsync(page);
        Assert.True(JsonNode.DeepEquals(saved, Assert.Single(Notes(await DefinitionAsync(SampleFlowId, 2)))));
        await ScreenshotAsync(page, "designer-note");

        // After a reload the note is still there; selecting it shows its text.
        await page.ReloadAsync();
        await Expect(Canvas(page)).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await Expect(note).ToContainTextAsync("Rückrufe bitte");
        (x, y) = await VisiblePointAsync(page, "note:note1");
        await page.Mouse.ClickAsync(x, y);
        await Expect(page.GetByTestId("note-text")).ToHaveValueAsync(Text);

        // Its corner handle resizes it (one undo step).
        var handle = page.Locator(".x6-widget-transform [data-position='bottom-right']");
        var corner = (await handle.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(corner.X + corner.Width / 2, corner.Y + corner.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(corner.X + corner.Width / 2 + 60, corner.Y + corner.Height / 2 + 40, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        await WaitSavedAsync(page);
        var resized = Assert.Single(Notes(await DefinitionAsync(SampleFlowId, 2)))!;
        Assert.True((double)resized["width"]! > 200 && (double)resized["height"]! > 120, resized.ToJsonString());
        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Control+z");
        await WaitSavedAsync(page);
        Assert.True(JsonNode.DeepEquals(saved, Assert.Single(Notes(await DefinitionAsync(SampleFlowId, 2)))), "Undo did not restore the size.");

        // The Delete key removes it.
        (x, y) = await VisiblePointAsync(page, "note:note1");
        await page.Mouse.ClickAsync(x, y);
        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Delete");
        await Expect(note).ToHaveCountAsync(0);
        await WaitSavedAsync(page);
        Assert.Empty(Notes(await DefinitionAsync(SampleFlowId, 2)));

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task A_note_over_the_length_limit_is_named_in_german_and_the_field_takes_no_more_than_the_limit()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        var definition = JsonNode.Parse((await DefinitionAsync(SampleFlowId, 1)).ToJsonString())!.AsObject();
        definition["notes"] = new JsonArray(new JsonObject
        {
            ["id"] = "long", ["text"] = new string('a', 2001), ["x"] = 0, ["y"] = -300, ["width"] = 200, ["height"] = 120,
        });
        var flowId = await CreateFlowAsync("Mit langer Notiz", definition);
        await OpenDesignerAsync(page, flowId);

        await Expect(page.GetByTestId("toolbar-problems")).ToHaveTextAsync("1 Fehler");
        await Expect(page.GetByTestId("flow-problems")).ToContainTextAsync("Eine Notiz ist 2001 Zeichen lang; erlaubt sind höchstens 2000.");
        await page.GetByTestId("toolbar-note").ClickAsync();
        await Expect(page.GetByTestId("note-text")).ToHaveAttributeAsync("maxlength", "2000");

        AssertNoBrowserProblems();
    }

    private static JsonArray Notes(JsonNode definition) => definition["notes"]?.AsArray() ?? [];

    /// <summary>A point of a note a person can grab: inside it and not under a connection drawn across it.</summary>
    private static async Task<(float X, float Y)> VisiblePointAsync(IPage page, string cellId)
    {
        var point = await page.EvaluateAsync<float[]?>("""
            id => {
              const g = document.querySelector(`[data-testid='canvas'] g[data-cell-id='${id}']`);
              const r = g.querySelector("rect").getBoundingClientRect();
              for (let fy = 0.3; fy < 0.95; fy += 0.1) {
                for (let fx = 0.2; fx < 0.9; fx += 0.1) {
                  const x = r.x + r.width * fx, y = r.y + r.height * fy;
                  if (g.contains(document.elementFromPoint(x, y))) return [x, y];
                }
              }
              return null;
            }
            """, cellId);
        Assert.True(point is { Length: 2 }, $"{cellId} has no visible point");
        return (point[0], point[1]);
    }
}
