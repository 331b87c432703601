namespace VoiceAgent.E2E;

/// <summary>A Chromium with a (fake) microphone that denies every permission prompt, as when the user clicks "Block".</summary>
public sealed class DesignerMicrophoneDeniedTests : DesignerSpeechTest
{
    protected override IEnumerable<string> BrowserArgs =>
        [.. base.BrowserArgs, "--use-fake-device-for-media-stream", "--deny-permission-prompts"];

    [Fact]
    public async Task Designer_test_console_explains_in_German_when_the_browser_refuses_the_microphone()
    {
        await StoreOpenAiKeyAsync();
        await SetUpTenantAsync();
        var page = await StartTestConsoleAsync();

        var mic = page.GetByTestId("console-mic");
        await mic.ClickAsync();

        await Expect(page.GetByTestId("console-transcript").Locator("li[data-role='system']").Last)
            .ToContainTextAsync("Der Browser hat den Zugriff auf das Mikrofon verweigert.");
        await Expect(mic).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(mic).ToBeEnabledAsync();
        await Expect(page.GetByTestId("console-input")).ToBeEnabledAsync();
        await ScreenshotAsync(page, "designer-console-microphone-denied");
        Assert.Empty(OpenAi.Transcriptions);
        AssertNoBrowserProblems();
    }
}
