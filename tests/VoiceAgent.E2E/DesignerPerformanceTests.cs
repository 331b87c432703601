using System.Text.Json.Nodes;
using VoiceAgent.Testing;
using Xunit.Abstractions;

namespace VoiceAgent.E2E;

public sealed class DesignerPerformanceTests(ITestOutputHelper output) : DesignerTest
{
    private const int NodeCount = 300;
    private const double BudgetMs = 1500;

    [Fact]
    public async Task A_300_node_flow_renders_is_interactive_and_fits_with_its_render_time_reported()
    {
        await SetUpTenantAsync();
        var definition = LargeFlows.Create(NodeCount);
        Assert.Equal(NodeCount, definition["nodes"]!.AsArray().Count);
        var flowId = await CreateFlowAsync("Großer Ablauf", definition);

        var page = await SignedInPageAsync();
        // Warm-up: the server's first designer request (Razor, EF queries) and the bundle in the browser cache,
        // so the figure measures the designer, not a cold process.
        await OpenDesignerAsync(page, SampleFlowId);

        await page.GotoAsync($"/app/flows/{flowId}/designer");
        var canvas = Canvas(page);
        await Expect(canvas).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        var readyMs = double.Parse((await canvas.GetAttributeAsync("data-ready"))!);

        // The large flow opens readable at its Start node (only what is in view is drawn); the minimap holds all 300.
        await Expect(Node(page, "start")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("minimap").Locator("g[data-shape='va-activity']")).ToHaveCountAsync(NodeCount);

        // Interactive: a click selects a node and the property panel shows it.
        var clickStarted = await page.EvaluateAsync<double>("() => performance.now()");
        await SelectAsync(page, "n11");
        var selectMs = await page.EvaluateAsync<double>("() => performance.now()") - clickStarted;
        await ScreenshotAsync(page, "designer-300-nodes");

        // "Fit" draws the whole flow.
        var fitStarted = await page.EvaluateAsync<double>("() => performance.now()");
        await page.GetByTestId("toolbar-fit").ClickAsync();
        await Expect(canvas.Locator("g[data-shape='va-activity']")).ToHaveCountAsync(NodeCount);
        var fitMs = await page.EvaluateAsync<double>("() => performance.now()") - fitStarted;
        await ScreenshotAsync(page, "designer-300-nodes-fitted");

        var stages = await page.EvaluateAsync<string>("""
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource').filter(r => r.name.includes('/api/') || r.name.includes('designer-canvas.js'))
                .map(r => `${r.name.replace(location.origin, '')} ${Math.round(r.startTime)}→${Math.round(r.responseEnd)}`);
              const marks = performance.getEntriesByType('mark').map(m => `${m.name} ${Math.round(m.startTime)}`);
              return [`html ${Math.round(nav.responseEnd)} dcl ${Math.round(nav.domContentLoadedEventEnd)}`, ...res, ...marks].join('\n');
            }
            """);
        output.WriteLine(stages);
        var report = $"Designer, {NodeCount} nodes: navigation start → data-ready (first render, interactive) = {readyMs:0} ms " +
                     $"(budget {BudgetMs:0} ms); click → property panel {selectMs:0} ms; fit → all {NodeCount} nodes drawn {fitMs:0} ms " +
                     "(both incl. Playwright round trips)";
        output.WriteLine(report);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(ScreenshotDirectory, "designer-300-nodes.txt"), report + Environment.NewLine);
        // The figure is reported, not asserted: on a shared machine wall-clock time says how busy the machine was. The
        // test proves what must hold whatever the speed: the large flow renders, is interactive and fits completely.
        Assert.True(readyMs > 0, report + "\n" + stages);

        AssertNoBrowserProblems();
    }
}
