using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace VoiceAgent.E2E;

public sealed partial class DesignerArrowKeysTests : DesignerTest
{
    [Fact]
    public async Task Arrow_keys_move_the_selection_by_the_grid_one_undo_step_per_press_but_not_while_typing()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        var start = PositionIn(await DefinitionAsync(SampleFlowId, 1), "noSlots");

        await SelectAsync(page, "noSlots");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        Assert.Equal((start.X + 20, start.Y + 100), await DrawnAtAsync(page, "noSlots"));
        await WaitSavedAsync(page);
        Assert.Equal((start.X + 20, start.Y + 100), PositionIn(await DefinitionAsync(SampleFlowId, 2), "noSlots"));

        // Each press is one undo step.
        await page.Keyboard.PressAsync("Control+z");
        Assert.Equal((start.X + 20, start.Y), await DrawnAtAsync(page, "noSlots"));
        await page.Keyboard.PressAsync("Control+z");
        Assert.Equal((start.X + 10, start.Y), await DrawnAtAsync(page, "noSlots"));

        // A key held down (the browser repeats it) is one step as well.
        await page.Keyboard.DownAsync("ArrowLeft");
        await page.Keyboard.DownAsync("ArrowLeft");
        await page.Keyboard.DownAsync("ArrowLeft");
        await page.Keyboard.UpAsync("ArrowLeft");
        Assert.Equal((start.X - 20, start.Y), await DrawnAtAsync(page, "noSlots"));
        await page.Keyboard.PressAsync("Control+z");
        Assert.Equal((start.X + 10, start.Y), await DrawnAtAsync(page, "noSlots"));

        // While typing in a property field the arrow keys move the caret, not the node.
        await SelectAsync(page, "greeting");
        var greeting = await DrawnAtAsync(page, "greeting");
        var field = page.GetByTestId("field-text").Locator("textarea, input").First;
        await field.FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("Shift+ArrowDown");
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(field).ToBeFocusedAsync();
        Assert.Equal(greeting, await DrawnAtAsync(page, "greeting"));
        await WaitSavedAsync(page);
        Assert.Equal(greeting, PositionIn(await DefinitionAsync(SampleFlowId, 2), "greeting"));

        AssertNoBrowserProblems();
    }

    private static (double X, double Y) PositionIn(JsonNode definition, string id)
    {
        var position = definition["nodes"]!.AsArray().Single(n => (string)n!["id"]! == id)!["position"]!;
        return ((double)position["x"]!, (double)position["y"]!);
    }

    /// <summary>Where the canvas draws a node (its translate, in graph units).</summary>
    private static async Task<(double X, double Y)> DrawnAtAsync(IPage page, string id)
    {
        var transform = await Node(page, id).GetAttributeAsync("transform") ?? "";
        var match = Translate().Match(transform);
        Assert.True(match.Success, $"{id}: no translate in '{transform}'");
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"translate\(\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)")]
    private static partial Regex Translate();
}
