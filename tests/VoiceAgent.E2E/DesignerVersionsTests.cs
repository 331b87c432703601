namespace VoiceAgent.E2E;

public sealed class DesignerVersionsTests : DesignerTest
{
    [Fact]
    public async Task Diff_shows_a_changed_Speak_text_and_rollback_makes_the_old_version_live_again()
    {
        await SetUpTenantAsync();
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);

        await SelectAsync(page, "greeting");
        await FillFieldAsync(page, "text", "Willkommen in der Praxis Dr. Designer! Wie kann ich helfen?");
        await WaitSavedAsync(page);
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 2 · Entwurf");

        // Stage version 2, then publish it (confirm step).
        await page.GetByTestId("tab-versions").ClickAsync();
        await page.GetByTestId("stage-2").ClickAsync();
        await Expect(page.GetByTestId("status-2")).ToHaveTextAsync("Bereitgestellt");
        await Expect(page.GetByTestId("version-label")).ToHaveTextAsync("Version 2 · Bereitgestellt");
        await page.GetByTestId("publish-2").ClickAsync();
        await Expect(page.GetByTestId("confirm-publish-2")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "designer-publish-confirm");
        await page.GetByTestId("confirm-publish-2").ClickAsync();
        await Expect(page.GetByTestId("status-2")).ToHaveTextAsync("Live");
        await Expect(page.GetByTestId("status-1")).ToHaveTextAsync("Archiviert");

        // The diff between the two versions names the Speak node and its text before → after.
        await page.GetByTestId("diff-from").SelectOptionAsync("1");
        await page.GetByTestId("diff-to").SelectOptionAsync("2");
        await page.GetByTestId("diff-compare").ClickAsync();
        var changed = page.GetByTestId("diff-nodes-changed");
        await Expect(page.GetByTestId("diff-view")).ToContainTextAsync("Unterschiede von Version 1 zu Version 2");
        await Expect(changed.Locator("li[data-node='greeting']")).ToContainTextAsync("greeting (Sprechen)");
        await Expect(changed.Locator("li[data-node='greeting'] dt")).ToHaveTextAsync("Text");
        await Expect(changed.Locator(".va-diff-before")).ToContainTextAsync("Ich kann einen Termin");
        await Expect(changed.Locator(".va-diff-after")).ToHaveTextAsync("Willkommen in der Praxis Dr. Designer! Wie kann ich helfen?");
        await Expect(page.GetByTestId("diff-nodes-added")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "designer-diff");

        // Roll back: version 1 is live again, version 2 retired.
        await page.GetByTestId("rollback-1").ClickAsync();
        await Expect(page.GetByTestId("designer-message")).ToHaveTextAsync("Version 1 ist wieder live.");
        await Expect(page.GetByTestId("status-1")).ToHaveTextAsync("Live");
        await Expect(page.GetByTestId("status-2")).ToHaveTextAsync("Archiviert");
        Assert.Equal("live", await StatusOfAsync(SampleFlowId, 1));
        Assert.Equal("retired", await StatusOfAsync(SampleFlowId, 2));
        await ScreenshotAsync(page, "designer-rolled-back");

        AssertNoBrowserProblems();
    }
}
