using Microsoft.Playwright;

namespace VoiceAgent.E2E;

public sealed class DesignerPagesTests : DesignerTest
{
    [Fact]
    public async Task Designer_shows_the_sample_flow_in_German_and_English_without_console_errors()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);

        // Toolbox grouped by category with German names; the canvas holds every node of the sample.
        var sampleNodes = (await DefinitionAsync(SampleFlowId, 1))["nodes"]!.AsArray().Count;
        var toolbox = page.GetByTestId("toolbox");
        await Expect(toolbox.Locator("section[data-category='Kalender'] h3")).ToHaveTextAsync("Kalender");
        await Expect(page.GetByTestId("tool-Speak")).ToHaveTextAsync("Sprechen");
        await Expect(page.GetByTestId("tool-Speak")).ToHaveAttributeAsync("aria-label", "Sprechen hinzufügen (ziehen oder Eingabetaste)");
        await Expect(Canvas(page).Locator("g[data-shape='va-activity']")).ToHaveCountAsync(sampleNodes);
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 1 · Live");
        await Expect(page.GetByTestId("toolbar-problems")).ToHaveTextAsync("Keine Fehler");
        await Expect(page.GetByTestId("minimap").Locator("svg")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "designer-sample-flow");

        // The toolbox search filters by German name.
        await page.GetByTestId("toolbox-search").FillAsync("termin");
        await Expect(page.GetByTestId("tool-CreateEvent")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("tool-Speak")).ToBeHiddenAsync();
        await page.GetByTestId("toolbox-search").FillAsync("");

        // Selecting a node shows its properties with editors chosen by UI hint.
        await SelectAsync(page, "greeting");
        await Expect(page.GetByTestId("props-title")).ToHaveTextAsync("Sprechen");
        await Expect(page.GetByTestId("field-text").Locator("input")).ToHaveAttributeAsync("role", "combobox");
        await Expect(page.GetByTestId("field-voice").Locator("select")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("field-interruptible").Locator("input[type=checkbox]")).ToBeCheckedAsync();
        await ScreenshotAsync(page, "designer-properties");

        // Every control has an accessible name.
        var unlabeled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-va-designer] button, [data-va-designer] input, [data-va-designer] select, [data-va-designer] textarea')]
                .filter(e => !e.hidden && e.type !== 'file')
                .filter(e => !(e.getAttribute('aria-label') || e.labels?.length || e.getAttribute('aria-labelledby') || e.textContent.trim()))
                .map(e => e.outerHTML.slice(0, 120))
            """);
        Assert.True(unlabeled.Length == 0, "Controls without an accessible name:\n" + string.Join("\n", unlabeled));

        // Auto-layout arranges the flow (one undo step).
        var startBefore = await Node(page, "start").GetAttributeAsync("transform");
        await page.GetByTestId("toolbar-layout").ClickAsync();
        await Expect(Node(page, "start")).Not.ToHaveAttributeAsync("transform", startBefore!);
        await ScreenshotAsync(page, "designer-auto-layout");
        // The layout is saved (as a new draft) before it is undone, and the undo before the next step: no race with the
        // autosave timer.
        await WaitSavedAsync(page);
        await page.GetByTestId("toolbar-undo").ClickAsync();
        await Expect(Node(page, "start")).ToHaveAttributeAsync("transform", startBefore!);
        await WaitSavedAsync(page);
        await page.GetByTestId("toolbar-fit").ClickAsync();

        // Copy/paste with the keyboard, also into another flow (the clipboard is in localStorage).
        await SelectAsync(page, "greeting");
        await page.Keyboard.PressAsync("Control+c");
        await page.Keyboard.PressAsync("Control+v");
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("speak1");
        await Expect(page.GetByTestId("field-text").Locator("input")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^Ich kann einen Termin"));
        await page.Keyboard.PressAsync("Control+z");
        await Expect(Node(page, "speak1")).ToHaveCountAsync(0);
        var other = await CreateFlowAsync("Zweiter Ablauf");
        await OpenDesignerAsync(page, other);
        await Canvas(page).FocusAsync();
        await page.Keyboard.PressAsync("Control+v");
        await Expect(Node(page, "speak1")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync("speak1");
        await WaitSavedAsync(page);
        Assert.Contains("Ich kann einen Termin", (await DefinitionAsync(other, 1)).ToJsonString());
        await OpenDesignerAsync(page, SampleFlowId);

        foreach (var tab in new[] { "versions", "console" })
        {
            await page.GetByTestId($"tab-{tab}").ClickAsync();
            await Expect(page.GetByTestId($"panel-{tab}")).ToBeVisibleAsync();
            await ScreenshotAsync(page, $"designer-tab-{tab}");
        }

        // English on request (the portal's language switch).
        await page.GetByRole(AriaRole.Link, new() { Name = "EN", Exact = true }).ClickAsync();
        await Expect(Canvas(page)).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await Expect(page.GetByTestId("tool-Speak")).ToHaveTextAsync("Speak");
        await Expect(page.GetByTestId("tab-properties")).ToHaveTextAsync("Properties");
        // The auto-layout above was saved (then undone): editing the live version made a draft.
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 2 · Draft");
        await ScreenshotAsync(page, "designer-english");

        AssertNoBrowserProblems();
    }
}
