using System.Collections.Concurrent;
using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;
using static Microsoft.Playwright.Assertions;

namespace VoiceAgent.E2E;

/// <summary>
/// Issue #15: a newly approved tenant's admin goes through the five setup steps in the browser — with fakes for Twilio
/// (number lookup and webhook update), Google Cloud speech and OpenAI — and ends with a test call over the signed Twilio
/// webhooks that books into the chosen calendar. Wrong input in a step gets German errors and stores nothing; a reload
/// resumes at the same step; no configured secret appears in any response, WebSocket frame or log line.
/// </summary>
public sealed class SetupWizardTests : PortalTest, IAsyncLifetime
{
    private const string Email = "chefin@praxis-sonne.de";
    private const string Company = "Praxis Sonnenschein";
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    private const string TwilioToken = "5ec7e70ken0123456789abcdef012345";
    private const string OpenAiKey = "sk-test-wizard-secret-0123456789abcdefghijklmnop";
    private const string OldWebhook = "https://alt.example.com/voice";

    private readonly LogCapture logs = new();
    private FakeTwilioServer twilio = null!;
    private FakeGoogleCloudServer google = null!;
    private FakeOpenAiServer openAi = null!;

    protected override LogCapture? AppLogs => logs;

    protected override async Task<Dictionary<string, string?>> AppSettingsAsync()
    {
        twilio = await FakeTwilioServer.StartAsync();
        google = await FakeGoogleCloudServer.StartAsync();
        openAi = await FakeOpenAiServer.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Twilio:ApiBaseUrl"] = twilio.BaseUrl.AbsoluteUri,
            ["Twilio:RetryDelay"] = "00:00:00",
            ["GoogleCloud:SpeechBaseUrl"] = google.BaseUrl.AbsoluteUri,
            ["GoogleCloud:TextToSpeechBaseUrl"] = google.BaseUrl.AbsoluteUri,
            ["OpenAi:Endpoint"] = openAi.Endpoint.ToString(),
            // Every line the app logs on the way, to show no secret is among them.
            ["Logging:LogLevel:Default"] = "Information",
        };
    }

    [Fact]
    public async Task A_new_tenant_goes_through_all_five_steps_and_books_with_a_test_call_and_no_secret_leaves_the_server()
    {
        var serviceAccount = google.ServiceAccountJson();
        var privateKey = System.Text.Json.Nodes.JsonNode.Parse(serviceAccount)!["private_key"]!.GetValue<string>();
        var operatorApi = await Factory.LoginAsAdminAsync();
        foreach (var (key, value) in new[]
                 {
                     ("twilio.account_sid", AccountSid), ("twilio.auth_token", TwilioToken), ("openai.api_key", OpenAiKey),
                     ("googlecloud.service_account", serviceAccount),
                 })
        {
            (await operatorApi.PutAsJsonAsync($"/api/admin/settings/{key}", new { value })).EnsureSuccessStatusCode();
        }

        twilio.AddAccount(AccountSid, TwilioToken);
        twilio.AddNumber(AccountSid, "+49301234567", OldWebhook);
        await Factory.ApprovedTenantAsync(Email, Company, skipSetup: false);

        var page = await NewPageAsync();
        var seen = Record(page);
        await LoginAsync(page, Email, TestData.Password, "/app/setup");
        await Expect(page.GetByTestId("setup-step-number")).ToBeVisibleAsync();

        // 1. Rufnummer: an emergency number is refused in German before Twilio is asked; the real one is found, its
        //    webhook shown and pointed at us in one click.
        await page.GetByTestId("setup-number").FillAsync("112");
        await page.GetByTestId("setup-number-check").ClickAsync();
        await Expect(FieldError(page, "setup-number")).ToContainTextAsync("Notruf");
        Assert.Empty(twilio.Requests);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM setup_wizards WHERE number IS NOT NULL OR number_done_at IS NOT NULL"));
        await page.GetByTestId("setup-number").FillAsync("030 1234567");
        await page.GetByTestId("setup-number-check").ClickAsync();
        await Expect(page.GetByTestId("setup-number-current")).ToHaveTextAsync(OldWebhook);
        await Expect(page.GetByTestId("setup-number-status")).ToHaveAttributeAsync("data-points-here", "false");
        await page.GetByTestId("setup-number-connect").ClickAsync();
        await Expect(page.GetByTestId("setup-step-speech")).ToBeVisibleAsync();
        seen.Enqueue(await page.ContentAsync());
        await AssertAccessibleAsync(page, wholePage: true);
        var update = Assert.Single(twilio.NumberUpdates);
        Assert.Equal(BaseUrl + "/telephony/twilio/voice", update.Form["VoiceUrl"]);

        // A reload (and the server's state) resumes at the same step.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("setup-step-speech")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-step=number]")).ToHaveAttributeAsync("data-done", "true");

        // 2. Stimme: OpenAI's voice heard first; the operator withdraws the OpenAI key meanwhile, so saving it is refused in
        //    German and stores nothing; Google with a German voice is heard and saved.
        await page.GetByTestId("setup-provider-openai").ClickAsync();
        await page.GetByTestId("setup-speech-sample").ClickAsync();
        await Expect(page.GetByTestId("setup-speech-audio")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:audio/wav;base64,"));
        Assert.NotEmpty(openAi.SpeechRequests);
        (await operatorApi.DeleteAsync("/api/admin/settings/openai.api_key")).EnsureSuccessStatusCode();
        await page.GetByTestId("setup-speech-save").ClickAsync();
        await Expect(page.GetByTestId("setup-provider-error")).ToContainTextAsync("OpenAI");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_speech"));
        await page.GetByTestId("setup-provider-google").ClickAsync();
        await page.GetByTestId("setup-speech-sample").ClickAsync();
        await Expect(page.GetByTestId("setup-speech-audio")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:audio/wav;base64,"));
        Assert.NotEmpty(google.Syntheses);
        await page.GetByTestId("setup-speech-save").ClickAsync();
        await Expect(page.GetByTestId("setup-step-prompt")).ToBeVisibleAsync();
        seen.Enqueue(await page.ContentAsync());
        await AssertAccessibleAsync(page, wholePage: true);

        // 3. System-Prompt: the disclosure is shown read-only; too short and unknown placeholders are refused in German.
        await Expect(page.GetByTestId("setup-disclosure")).ToHaveAttributeAsync("readonly", "");
        await Expect(page.GetByTestId("setup-disclosure")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("KI"));
        var prompt = page.GetByTestId("setup-prompt");
        var suggested = await prompt.InputValueAsync();
        await prompt.FillAsync("Zu kurz.");
        await page.GetByTestId("setup-prompt-save").ClickAsync();
        await Expect(FieldError(page, "setup-prompt")).ToContainTextAsync("40");
        await prompt.FillAsync("Sie sind die freundliche Telefonassistenz von {{ tenant.unbekannt }} und buchen Termine.");
        await page.GetByTestId("setup-prompt-save").ClickAsync();
        await Expect(FieldError(page, "setup-prompt")).ToContainTextAsync("tenant.unbekannt");
        await Expect(page.GetByTestId("setup-step-prompt")).ToBeVisibleAsync();
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_prompts"));
        await prompt.FillAsync(suggested);
        await page.GetByTestId("setup-prompt-save").ClickAsync();
        await Expect(page.GetByTestId("setup-step-calendar")).ToBeVisibleAsync();
        seen.Enqueue(await page.ContentAsync());
        await AssertAccessibleAsync(page, wholePage: true);

        // 4. Kalender: the test calendar only with the tenant's confirmation.
        await page.GetByTestId("setup-sandbox-use").ClickAsync();
        await Expect(page.GetByTestId("setup-sandbox-error")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("setup-step-calendar")).ToBeVisibleAsync();
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM sandbox_calendar_confirmations"));
        await page.GetByTestId("setup-sandbox-understood").ClickAsync();
        await page.GetByTestId("setup-sandbox-use").ClickAsync();
        await Expect(page.GetByTestId("setup-step-publish")).ToBeVisibleAsync();
        seen.Enqueue(await page.ContentAsync());
        await AssertAccessibleAsync(page, wholePage: true);

        // 5. Veröffentlichen & Testanruf over the signed webhooks: the caller books, the booking is shown.
        await page.GetByTestId("setup-publish").ClickAsync();
        await Expect(page.GetByTestId("setup-published")).ToContainTextAsync("+49301234567");
        await page.GetByTestId("setup-call-start").ClickAsync();
        var transcript = page.GetByTestId("setup-call-transcript");
        await Expect(transcript.Locator("li").First).ToContainTextAsync("KI");
        await Expect(transcript).ToContainTextAsync(Company);
        await SayAsync(page, "Ich möchte einen Termin vereinbaren");
        await Expect(transcript).ToContainTextAsync("Passt Ihnen das?");
        await SayAsync(page, "Ja, das passt");
        await Expect(transcript).ToContainTextAsync("eingetragen");
        await page.GetByTestId("setup-call-hangup").ClickAsync();
        await Expect(page.GetByTestId("setup-call-booking")).ToContainTextAsync("Termin");
        await Expect(page.GetByTestId("setup-complete")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "setup-wizard-done");
        seen.Enqueue(await page.ContentAsync());
        await AssertAccessibleAsync(page, wholePage: true);

        // Nothing secret in anything the browser received or the app logged.
        await page.GetByTestId("setup-to-dashboard").ClickAsync();
        await Expect(page.GetByTestId("tenant-dashboard")).ToBeVisibleAsync();
        var everything = string.Join("\n", seen) + "\n" + string.Join("\n", logs.Lines);
        foreach (var secret in new[] { TwilioToken, OpenAiKey, privateKey[40..80] })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }

        Assert.NotEmpty(seen);
    }

    /// <summary>axe-core finds no serious or critical violation in the step shown.</summary>


    private static ILocator FieldError(IPage page, string testId) =>
        page.Locator($".mud-input-control:has([data-testid={testId}]) .mud-input-helper-text.mud-input-error");

    private static async Task SayAsync(IPage page, string text)
    {
        await page.GetByTestId("setup-call-input").FillAsync(text);
        await page.GetByTestId("setup-call-say").ClickAsync();
    }

    /// <summary>Every response body (text) and WebSocket frame the page receives (the circuit's render batches included).</summary>
    private static ConcurrentQueue<string> Record(IPage page)
    {
        var seen = new ConcurrentQueue<string>();
        page.Response += async (_, response) =>
        {
            try
            {
                seen.Enqueue(response.Url + " " + string.Join(" ", (await response.AllHeadersAsync()).Values) + "\n" + await response.TextAsync());
            }
            catch (PlaywrightException)
            {
                // A redirect or a navigated-away page has no body to read.
            }
        };
        page.WebSocket += (_, socket) =>
        {
            socket.FrameReceived += (_, frame) => seen.Enqueue(Readable(frame.Text ?? System.Text.Encoding.UTF8.GetString(frame.Binary ?? [])));
            socket.FrameSent += (_, frame) => seen.Enqueue(frame.Text ?? "");
        };
        return seen;
    }

    /// <summary>A frame as text, with the render batches (base64 inside SignalR's JSON) decoded, so their strings can be searched.</summary>
    private static string Readable(string frame) =>
        frame + "\n" + string.Join("\n", System.Text.RegularExpressions.Regex.Matches(frame, "[A-Za-z0-9+/]{24,}={0,2}").Select(m =>
        {
            var bytes = new byte[m.Value.Length];
            return Convert.TryFromBase64String(m.Value, bytes, out var length) ? System.Text.Encoding.UTF8.GetString(bytes, 0, length) : "";
        }));

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await DisposeAsync();
        }
        finally
        {
            await twilio.DisposeAsync();
            await google.DisposeAsync();
            await openAi.DisposeAsync();
        }
    }
}
