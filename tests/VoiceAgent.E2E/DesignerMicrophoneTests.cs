using System.Buffers.Binary;
using Microsoft.Playwright;

namespace VoiceAgent.E2E;

/// <summary>
/// The test console's microphone in a Chromium with a fake microphone (a beeping test signal) that is allowed without a
/// prompt: recorded in the browser, sent as WAV, transcribed by the fake OpenAI, taken as the caller's answer.
/// </summary>
public sealed class DesignerMicrophoneTests : DesignerSpeechTest
{
    protected override IEnumerable<string> BrowserArgs =>
        [.. base.BrowserArgs, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

    [Fact]
    public async Task Designer_test_console_records_the_microphone_and_the_transcription_drives_a_turn()
    {
        await StoreOpenAiKeyAsync();
        await SetUpTenantAsync();
        OpenAi.EnqueueTranscripts("Ich möchte gerne einen Termin vereinbaren");
        var page = await StartTestConsoleAsync();

        var mic = page.GetByTestId("console-mic");
        await Expect(mic).ToBeEnabledAsync();
        await Expect(mic).ToHaveAttributeAsync("aria-label", "Antwort sprechen");
        await Expect(mic).ToHaveAttributeAsync("aria-pressed", "false");

        // Press: recording, visibly (red button, status line); press again: sent.
        await mic.ClickAsync();
        await Expect(mic).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(mic).ToHaveAttributeAsync("aria-label", "Aufnahme beenden und senden");
        await Expect(mic).ToHaveAttributeAsync("data-capture", "worklet");
        await Expect(mic).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bva-recording\b"));
        var micStatus = page.GetByTestId("console-mic-status");
        await Expect(micStatus).ToHaveAttributeAsync("data-state", "recording");
        await Expect(micStatus).ToContainTextAsync("Aufnahme läuft");
        await Expect(page.GetByTestId("console-input")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "designer-console-recording");
        // Record until the page has captured 1.5 s of the fake microphone's audio: a condition on the recording itself,
        // not a fixed wait that a busy machine (audio arriving late) could cut short.
        await page.WaitForFunctionAsync(
            "() => Number(document.querySelector('[data-testid=console-mic-status]')?.dataset.recordedSeconds ?? 0) >= 1.5");
        await mic.ClickAsync();

        var transcript = page.GetByTestId("console-transcript");
        await Expect(transcript.Locator("li[data-source='speech']")).ToHaveTextAsync("Sie sagten: Ich möchte gerne einen Termin vereinbaren");
        await Expect(transcript.Locator("li[data-role='agent']").Last).ToContainTextAsync("Der nächste freie Termin wäre am ");
        await Expect(page.GetByTestId("console-status")).ToHaveAttributeAsync("data-state", "waiting");
        await Expect(page.GetByTestId("console-trace")).ToContainTextAsync("findSlots");
        await Expect(mic).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(micStatus).ToBeHiddenAsync();
        await Expect(page.GetByTestId("console-input")).ToBeEnabledAsync();
        await ScreenshotAsync(page, "designer-console-spoken-turn");

        // What reached the engine: the browser's recording, narrowed to 8 kHz mono 16-bit by the server, and not silence.
        var upload = Assert.Single(OpenAi.Transcriptions);
        Assert.NotNull(upload.Wav);
        Assert.Equal((1, 1, 8000, 16), (upload.Wav.FormatTag, upload.Wav.Channels, upload.Wav.SampleRate, upload.Wav.BitsPerSample));
        Assert.InRange(upload.Wav.Duration.TotalSeconds, 1.0, 10.0);
        var samples = upload.File.AsSpan(44);
        var loudest = 0;
        for (var i = 0; i + 1 < samples.Length; i += 2)
        {
            loudest = Math.Max(loudest, Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(samples[i..])));
        }

        Assert.True(loudest > 100, $"the recording is silent (peak {loudest})");

        // The spoken answer is a turn like a typed one: typing goes on from there.
        await page.GetByTestId("console-input").FillAsync("Ja, gerne");
        await page.GetByTestId("console-send").ClickAsync();
        await Expect(transcript).ToContainTextAsync("ist eingetragen");
        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Designer_test_console_offers_no_microphone_without_speech_to_text()
    {
        await SetUpTenantAsync();
        var page = await StartTestConsoleAsync();

        await Expect(page.GetByTestId("console-input")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("console-mic")).ToHaveCountAsync(0);
        Assert.Empty(OpenAi.Requests);
        AssertNoBrowserProblems();
    }
}
