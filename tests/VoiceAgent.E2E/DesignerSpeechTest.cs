using System.Net.Http.Json;
using Microsoft.Playwright;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.E2E;

/// <summary>
/// A designer test whose app sends OpenAI calls to a fake (transcriptions answered from its script); the key that
/// switches speech-to-text on is stored only when a test asks for it (<see cref="StoreOpenAiKeyAsync"/>).
/// </summary>
public abstract class DesignerSpeechTest : DesignerTest, IAsyncLifetime
{
    protected FakeOpenAiServer OpenAi { get; private set; } = null!;

    protected override async Task<Dictionary<string, string?>> AppSettingsAsync()
    {
        OpenAi = await FakeOpenAiServer.StartAsync();
        return new Dictionary<string, string?> { ["OpenAi:Endpoint"] = OpenAi.Endpoint.ToString() };
    }

    /// <summary>The super-admin stores an OpenAI key (Einstellungen): speech-to-text is available from now on.</summary>
    protected async Task StoreOpenAiKeyAsync()
    {
        var operatorApi = await Factory.LoginAsAdminAsync();
        (await operatorApi.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-test-" + new string('m', 40) }))
            .EnsureSuccessStatusCode();
    }

    /// <summary>Opens the sample flow's test console and starts a conversation (the agent waits for the caller).</summary>
    protected async Task<IPage> StartTestConsoleAsync()
    {
        var page = await SignedInPageAsync();
        await OpenDesignerAsync(page, SampleFlowId);
        await page.GetByTestId("tab-console").ClickAsync();
        await page.GetByTestId("console-start").ClickAsync();
        await Expect(page.GetByTestId("console-transcript")).ToContainTextAsync("Praxis Dr. Designer");
        await Expect(page.GetByTestId("console-status")).ToHaveAttributeAsync("data-state", "waiting");
        return page;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await DisposeAsync();
        }
        finally
        {
            if (OpenAi is not null)
            {
                await OpenAi.DisposeAsync();
            }
        }
    }
}
