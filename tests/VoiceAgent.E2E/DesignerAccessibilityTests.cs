using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace VoiceAgent.E2E;

/// <summary>axe-core on the designer: the canvas with its toolbar and search box, and a note selected in the panel.</summary>
public sealed class DesignerAccessibilityTests : DesignerTest
{
    [Fact]
    public async Task The_designer_with_search_and_a_note_has_no_serious_accessibility_violation()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        await page.GetByTestId("canvas-search").FillAsync("Termin");
        await Expect(page.GetByTestId("search-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^1 von \d+$"));
        var findings = await SeriousViolationsAsync(page);

        await page.GetByTestId("toolbar-note").ClickAsync();
        await page.GetByTestId("note-text").FillAsync("Bitte prüfen");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        findings.AddRange(await SeriousViolationsAsync(page));

        Assert.True(findings.Count == 0, "axe-core:\n" + string.Join("\n", findings.Distinct()));
        AssertNoBrowserProblems();
    }

    private static async Task<List<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id} – {v.Help} @ " + string.Join(" | ", v.Nodes.Take(4).Select(n => n.Html)))
            .ToList();
    }
}
