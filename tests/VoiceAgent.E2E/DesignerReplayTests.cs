using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace VoiceAgent.E2E;

/// <summary>
/// Call replay: a test-console run of the sample flow opened from the console ("Im Ablauf ansehen") on the read-only
/// canvas of the version that ran, step by step — the path highlighted in order, each step's inputs, lines and variables.
/// </summary>
public sealed class DesignerReplayTests : DesignerTest
{
    [Fact]
    public async Task A_test_console_run_replays_step_by_step_with_its_path_variables_and_lines()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        await page.GetByTestId("tab-console").ClickAsync();
        await page.GetByTestId("console-start").ClickAsync();
        var status = page.GetByTestId("console-status");
        await Expect(status).ToHaveAttributeAsync("data-state", "waiting");
        await page.GetByTestId("console-input").FillAsync("Ich möchte gerne einen Termin vereinbaren");
        await page.GetByTestId("console-send").ClickAsync();
        await Expect(page.GetByTestId("console-transcript")).ToContainTextAsync("Passt Ihnen das?");
        await Expect(status).ToHaveAttributeAsync("data-state", "waiting");

        var replay = await page.Context.RunAndWaitForPageAsync(() => page.GetByTestId("console-replay").ClickAsync());
        await replay.WaitForURLAsync($"**/app/flows/{SampleFlowId}/sessions/*/replay");
        await Expect(replay.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Testlauf im Ablauf");
        await Expect(replay.GetByTestId("replay-version")).ToHaveAttributeAsync("data-version", "1");
        var canvas = replay.GetByTestId("replay-canvas");
        var position = replay.GetByTestId("replay-position");
        var step = replay.GetByTestId("replay-step");

        // Step 1: the start node is the current one, with the connection it took.
        await Expect(position).ToHaveTextAsync("Schritt 1 von 8");
        await Expect(step).ToHaveAttributeAsync("data-node", "start");
        await Expect(ReplayNode(canvas, "start")).ToHaveAttributeAsync("data-replay", "current");
        await Expect(canvas).ToHaveAttributeAsync("data-visited", "start");
        await Expect(canvas).ToHaveAttributeAsync("data-taken", "start:Done");

        // Forward through the greeting to the question: the path so far in green, the step's node in blue.
        await replay.GetByTestId("replay-next").ClickAsync();
        await replay.GetByTestId("replay-next").ClickAsync();
        await Expect(position).ToHaveTextAsync("Schritt 3 von 8");
        await Expect(step).ToHaveAttributeAsync("data-node", "intent");
        await Expect(canvas).ToHaveAttributeAsync("data-visited", "start greeting intent");
        await Expect(canvas).ToHaveAttributeAsync("data-taken", "start:Done greeting:Done");
        await Expect(ReplayNode(canvas, "intent")).ToHaveAttributeAsync("data-replay", "current");
        await Expect(canvas.Locator("path[data-replay='taken']").First).ToBeAttachedAsync();

        // Step 4: the caller's answer resumed the question; the intent it set is marked as changed.
        await replay.GetByTestId("replay-next").ClickAsync();
        await Expect(step).ToHaveAttributeAsync("data-sequence", "4");
        await Expect(replay.GetByTestId("replay-outcome")).ToHaveTextAsync("Recognized");
        await Expect(replay.GetByTestId("replay-lines")).ToContainTextAsync("Anrufer: Ich möchte gerne einen Termin vereinbaren");
        var intent = replay.GetByTestId("replay-variables").Locator("dd[data-value-of='intent']");
        await Expect(intent).ToHaveTextAsync("book_appointment");
        await Expect(intent).ToHaveClassAsync("changed");

        // The last step: the offer was said, the run waits for the answer; every node on the way is passed.
        await replay.GetByTestId("replay-slider").FillAsync("7");
        await Expect(position).ToHaveTextAsync("Schritt 8 von 8");
        await Expect(step).ToHaveAttributeAsync("data-node", "confirm");
        await Expect(replay.GetByTestId("replay-next")).ToBeDisabledAsync();
        await Expect(canvas).ToHaveAttributeAsync("data-visited", "start greeting intent isBook findSlots offer confirm");
        await Expect(canvas).ToHaveAttributeAsync("data-taken", "start:Done greeting:Done intent:Recognized isBook:True findSlots:Found offer:Done");
        await Expect(ReplayNode(canvas, "confirm")).ToHaveAttributeAsync("data-replay", "current");
        await replay.GetByTestId("replay-previous").ClickAsync();
        await Expect(step).ToHaveAttributeAsync("data-node", "offer");
        await Expect(replay.GetByTestId("replay-inputs")).ToContainTextAsync("Passt Ihnen das?");
        await Expect(replay.GetByTestId("replay-lines")).ToContainTextAsync("Passt Ihnen das?");
        await ScreenshotAsync(replay, "call-replay");

        var axe = await replay.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, "axe-core:\n" + string.Join("\n", serious));
        AssertNoBrowserProblems();
    }

    private static ILocator ReplayNode(ILocator canvas, string id) => canvas.Locator($"g[data-cell-id='{id}'] rect[data-replay]").First;
}
