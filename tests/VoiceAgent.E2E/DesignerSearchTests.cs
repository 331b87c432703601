using Microsoft.Playwright;

namespace VoiceAgent.E2E;

public sealed class DesignerSearchTests : DesignerTest
{
    [Fact]
    public async Task Ctrl_F_searches_titles_and_property_texts_and_jumps_to_each_match()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        var search = page.GetByTestId("canvas-search");
        var count = page.GetByTestId("search-count");

        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Control+f");
        await Expect(search).ToBeFocusedAsync();

        // A property's text, any case: the only node that says it is selected and in view.
        await page.Keyboard.TypeAsync("zwei wochen");
        await Expect(count).ToHaveTextAsync("1 von 1");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("noSlots");
        await AssertInViewAsync(page, "noSlots");

        // An activity's title: two "Termine nennen", Enter steps to the next and Shift+Enter back.
        await search.FillAsync("Termine nennen");
        await Expect(count).ToHaveTextAsync("1 von 2");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("listEvents");
        await AssertInViewAsync(page, "listEvents");
        await search.PressAsync("Enter");
        await Expect(count).ToHaveTextAsync("2 von 2");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("cancelLookup");
        await AssertInViewAsync(page, "cancelLookup");
        await search.PressAsync("Shift+Enter");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("listEvents");
        await ScreenshotAsync(page, "designer-search");

        await search.FillAsync("Quantenphysik");
        await Expect(count).ToHaveTextAsync("Nichts gefunden");

        // Escape clears the box and returns to the canvas.
        await search.PressAsync("Escape");
        await Expect(search).ToHaveValueAsync("");
        await Expect(Canvas(page)).ToBeFocusedAsync();

        AssertNoBrowserProblems();
    }

    private static async Task AssertInViewAsync(IPage page, string id)
    {
        var canvas = (await Canvas(page).BoundingBoxAsync())!;
        var node = (await Node(page, id).Locator("rect").First.BoundingBoxAsync())!;
        Assert.True(node.X >= canvas.X && node.Y >= canvas.Y && node.X + node.Width <= canvas.X + canvas.Width && node.Y + node.Height <= canvas.Y + canvas.Height,
            $"{id} at {node.X},{node.Y} ({node.Width}×{node.Height}) is not inside the canvas at {canvas.X},{canvas.Y} ({canvas.Width}×{canvas.Height})");
    }
}
