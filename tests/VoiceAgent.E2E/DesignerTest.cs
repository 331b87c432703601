using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// A browser test of the flow designer: an approved tenant with the demo set-up (sandbox calendar Mon–Fri 9–17, the
/// live sample flow "Terminannahme", a transfer allow-list), its admin signed in, and helpers that drive the canvas with
/// the mouse like a person (drag from the toolbox, drag from an outcome port to a node).
/// </summary>
public abstract class DesignerTest : PortalTest
{
    protected const string Email = "inhaberin@praxis-designer.de";

    /// <summary>The designer is made for laptop screens.</summary>
    protected const int Width = 1366;
    protected const int Height = 768;

    protected Guid TenantId { get; private set; }

    /// <summary>The tenant admin's bearer client (API checks and set-up; bearer calls need no antiforgery token).</summary>
    protected HttpClient Api { get; private set; } = null!;

    /// <summary>The live sample flow "Terminannahme" (version 1).</summary>
    protected Guid SampleFlowId { get; private set; }

    protected async Task SetUpTenantAsync()
    {
        (TenantId, Api) = await Factory.ApprovedTenantAsync(Email, "Praxis Dr. Designer");
        SampleFlowId = await Factory.SeedSampleFlowAsync(TenantId);
    }

    protected async Task<IPage> SignedInPageAsync()
    {
        var page = await NewPageAsync(Width, Height);
        await LoginAsync(page, Email, TestData.Password, "/app");
        return page;
    }

    protected async Task<Guid> CreateFlowAsync(string name, object? definition = null)
    {
        var response = await Api.PostAsJsonAsync("/api/flows", new { name, definition });
        Assert.True(response.IsSuccessStatusCode, $"creating the flow failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    protected async Task<JsonObject> FlowAsync(Guid flowId) =>
        (await Api.GetFromJsonAsync<JsonObject>($"/api/flows/{flowId}"))!;

    protected async Task<string> StatusOfAsync(Guid flowId, int version) =>
        (await FlowAsync(flowId))["versions"]!.AsArray().Single(v => (int)v!["version"]! == version)!["status"]!.GetValue<string>();

    /// <summary>A version's definition as the server stores it.</summary>
    protected async Task<JsonNode> DefinitionAsync(Guid flowId, int version) =>
        (await Api.GetFromJsonAsync<JsonObject>($"/api/flows/{flowId}/versions/{version}"))!["definition"]!;

    protected static async Task OpenDesignerAsync(IPage page, Guid flowId, string query = "")
    {
        await page.GotoAsync($"/app/flows/{flowId}/designer{query}");
        await Expect(Canvas(page)).ToHaveAttributeAsync("data-ready", new System.Text.RegularExpressions.Regex(@"^\d+$"));
    }

    protected static ILocator Canvas(IPage page) => page.GetByTestId("canvas");

    protected static ILocator Node(IPage page, string id) => Canvas(page).Locator($"g[data-cell-id='{id}']");

    /// <summary>Waits until the autosave reports "Gespeichert".</summary>
    protected static async Task WaitSavedAsync(IPage page)
    {
        var status = page.GetByTestId("save-status");
        await Expect(status).ToHaveAttributeAsync("data-state", "saved", new() { Timeout = 15_000 });
        await Expect(status).ToHaveTextAsync("Gespeichert");
    }

    /// <summary>Drags an activity from the toolbox onto the canvas (x/y relative to the canvas); returns the new node's id.</summary>
    protected static async Task<string> DragActivityAsync(IPage page, string type, float x, float y)
    {
        var tool = page.GetByTestId($"tool-{type}");
        var nodes = Canvas(page).Locator("g[data-shape='va-activity']");
        var before = await nodes.CountAsync();
        var id = page.GetByTestId("props-id");
        // The panel still shows the node selected before until the drop is rendered: wait for the new one, not the old.
        var previous = await id.IsVisibleAsync() ? await id.InnerTextAsync() : null;
        await tool.ScrollIntoViewIfNeededAsync();
        var from = (await tool.BoundingBoxAsync())!;
        var canvas = (await Canvas(page).BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(from.X + from.Width / 2, from.Y + from.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(canvas.X + x, canvas.Y + y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await Expect(nodes).ToHaveCountAsync(before + 1);
        await Expect(id).ToBeVisibleAsync();
        if (previous is not null)
        {
            await Expect(id).Not.ToHaveTextAsync(previous);
        }

        var nodeId = await id.InnerTextAsync();
        await Expect(Node(page, nodeId)).ToBeVisibleAsync();
        return nodeId;
    }

    /// <summary>Drags from a node's outcome port onto another node.</summary>
    protected static async Task ConnectAsync(IPage page, string from, string outcome, string to)
    {
        var edges = Canvas(page).Locator("g[data-shape='va-edge']");
        var before = await edges.CountAsync();
        var port = Node(page, from).Locator($"[port='out:{outcome}']");
        var source = (await port.BoundingBoxAsync())!;
        var target = (await Node(page, to).Locator("rect").First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(source.X + source.Width / 2, source.Y + source.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(target.X + target.Width / 2, target.Y + 20, new() { Steps = 10 });
        await page.Mouse.UpAsync();
        await Expect(edges).ToHaveCountAsync(before + 1);
    }

    /// <summary>Clicks a node (on its title) so the property panel shows it.</summary>
    protected static async Task SelectAsync(IPage page, string id)
    {
        var box = (await Node(page, id).Locator("rect").First.BoundingBoxAsync())!;
        // Left of the middle, below the input port and away from the outcome ports (nodes are small on a fitted large flow).
        await page.Mouse.ClickAsync(box.X + box.Width * 0.3f, box.Y + Math.Min(18, box.Height * 0.35f));
        await Expect(page.GetByTestId("props-id")).ToHaveTextAsync(id);
    }

    /// <summary>Types into a property field like a person and leaves it (the edit becomes one undo step).</summary>
    protected static async Task FillFieldAsync(IPage page, string input, string value)
    {
        var field = page.GetByTestId($"field-{input}").Locator("input, textarea").First;
        await field.FillAsync(value);
        await field.BlurAsync();
    }

    protected static Task ChooseAsync(IPage page, string input, string value) =>
        page.GetByTestId($"field-{input}").Locator("select").SelectOptionAsync(value);
}
