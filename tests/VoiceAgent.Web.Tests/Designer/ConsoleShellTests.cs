using System.Globalization;
using System.Net.Http.Json;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.JSInterop;
using MudBlazor.Services;
using VoiceAgent.Designer.Canvas;
using VoiceAgent.Designer.Console;
using VoiceAgent.Flows.Validation;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>
/// The test console's shell against the real database, as the designer page hosts it: PortalData in the tenant's scope,
/// the simulator and the speech service; the browser's recorder (the designer's JS module) is bunit's fake.
/// </summary>
public sealed class ConsoleShellTests : IntegrationTest
{
    private const string OpenAiKey = "sk-test-console-shell-0123456789";
    private const string Module = "./_content/VoiceAgent.Designer/designer-canvas.js";

    public ConsoleShellTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    private sealed class SignedIn(Guid tenantId) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()),
                new Claim(ClaimTypes.Email, "chef@praxis.de"),
                new Claim(AppClaimsPrincipalFactory.TenantIdClaim, tenantId.ToString()),
            ], "test"))));
    }

    /// <summary>A recording as .NET receives it from recordStop.</summary>
    private sealed class Recording(byte[] wav) : IJSStreamReference
    {
        public long Length => wav.Length;

        public ValueTask<Stream> OpenReadStreamAsync(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<Stream>(new MemoryStream(wav));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed record Host(BunitContext Context, IRenderedComponent<TestConsole> View, BunitJSModuleInterop Recorder, FakeTimeProvider Time,
        List<string?> Highlights) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Context.DisposeAsync();

        public AngleSharp.Dom.IElement Find(string testId) => View.Find($"[data-testid='{testId}']");

        public string[] Lines() => View.FindAll("[data-testid='console-transcript'] li").Select(l => l.TextContent.Trim()).ToArray();
    }

    private static async Task<Host> RenderAsync(VoiceAgentFactory app, Guid tenantId, Guid flowId, bool speech = false, bool saved = true,
        DesignerProblems? problems = null)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        context.Services.AddSingleton<TimeProvider>(time);
        context.Services.AddSingleton(sp => new PortalData(app.Services.GetRequiredService<IServiceScopeFactory>(), new SignedIn(tenantId),
            sp.GetRequiredService<NavigationManager>()));
        var recorder = context.JSInterop.SetupModule(Module);
        var module = await context.JSInterop.JSRuntime.InvokeAsync<IJSObjectReference>("import", Module);
        var highlights = new List<string?>();
        var view = context.Render<TestConsole>(p => p
            .Add(c => c.FlowId, flowId)
            .Add(c => c.SpeechToText, speech)
            .Add(c => c.Module, module)
            .Add(c => c.FlushSave, () => Task.FromResult(saved))
            .Add(c => c.Problems, () => problems ?? DesignerProblems.None)
            .Add(c => c.NodeTitle, id => $"{id} (Baustein)")
            .Add(c => c.OnCurrentNode, id => highlights.Add(id)));
        return new Host(context, view, recorder, time, highlights);
    }

    private static async Task StartAsync(Host host)
    {
        await host.Find("console-start").ClickAsync(new MouseEventArgs());
        Assert.Equal("waiting", host.Find("console-status").GetAttribute("data-state"));
    }

    [Fact]
    public async Task A_typed_test_call_runs_in_the_simulator_highlights_the_waiting_node_and_links_its_replay()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        await using var host = await RenderAsync(App, tenantId, flowId);

        await StartAsync(host);

        Assert.Contains("Praxis Dr. Weber", host.Lines()[0]);
        Assert.Contains(host.Recorder.Invocations, i => i.Identifier == "scrollToEnd" && i.Arguments[0] is ElementReference);
        Assert.StartsWith("Assistent: ", host.Lines()[0]);
        var waitingAt = Assert.Single(host.Highlights);
        Assert.NotNull(waitingAt);
        Assert.Contains($"Aktueller Baustein: {waitingAt} (Baustein)", host.Find("console-status").TextContent);
        var sessionId = await SingleSessionAsync(tenantId);
        Assert.Equal($"/app/flows/{flowId}/sessions/{sessionId}/replay", host.Find("console-replay").GetAttribute("href"));

        await host.Find("console-input").InputAsync(new ChangeEventArgs { Value = "Ich möchte gerne einen Termin vereinbaren" });
        await host.View.Find("form").SubmitAsync();

        var lines = host.Lines();
        Assert.Contains("Anrufer: Ich möchte gerne einen Termin vereinbaren", lines);
        Assert.EndsWith("Passt Ihnen das?", lines[^1]);
        Assert.Equal("waiting", host.Find("console-status").GetAttribute("data-state"));
        Assert.Contains("\"lastInput\": \"Ich möchte gerne einen Termin vereinbaren\"", host.Find("console-variables").TextContent);
        Assert.Contains(host.View.FindAll("[data-testid='console-trace'] button"), b => b.GetAttribute("data-node") == "intent");

        // Reset starts a new session; the old transcript goes.
        await host.Find("console-reset").ClickAsync(new MouseEventArgs());
        Assert.DoesNotContain("Anrufer: Ich möchte gerne einen Termin vereinbaren", host.Lines());
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE tenant_id = '{tenantId}' AND kind = 'simulation'"));
        Assert.Equal([null, waitingAt], host.Highlights[^2..]);
    }

    [Theory]
    [InlineData(false, false, "Der Test konnte nicht laufen: Die letzten Änderungen sind noch nicht gespeichert. Der Test startet, sobald der Ablauf gespeichert ist.")]
    [InlineData(true, true, "Der Test konnte nicht laufen: Der Ablauf hat noch Fehler. Beheben Sie sie zuerst (Liste unter „Eigenschaften“).")]
    public async Task An_unsaved_or_invalid_canvas_is_not_run(bool saved, bool invalid, string expected)
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var problems = invalid ? new DesignerProblems([new ValidationError("greeting", "required", "Text fehlt.")]) : null;
        await using var host = await RenderAsync(App, tenantId, flowId, saved: saved, problems: problems);

        await host.Find("console-start").ClickAsync(new MouseEventArgs());

        Assert.Equal([expected], host.Lines());
        Assert.Equal("failed", host.Find("console-status").GetAttribute("data-state"));
        Assert.Empty(host.View.FindAll("[data-testid='console-replay']"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flow_sessions"));
    }

    [Fact]
    public async Task A_refused_microphone_is_explained_and_the_caller_can_type()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        await using var host = await RenderAsync(App, tenantId, flowId, speech: true);
        host.Recorder.Setup<TestConsole.RecordStart>("recordStart", _ => true).SetResult(new TestConsole.RecordStart("denied", null, null));
        await StartAsync(host);

        await host.Find("console-mic").ClickAsync(new MouseEventArgs());

        Assert.StartsWith("Der Browser hat den Zugriff auf das Mikrofon verweigert.", host.Lines()[^1]);
        var start = Assert.Single(host.Recorder.Invocations, i => i.Identifier == "recordStart");
        Assert.Equal("/_content/VoiceAgent.Designer/recorder-worklet.js", start.Arguments[0]);
        Assert.IsType<ElementReference>(start.Arguments[1]);
        Assert.Equal("false", host.Find("console-mic").GetAttribute("aria-pressed"));
        Assert.False(host.Find("console-mic").HasAttribute("disabled"));
        Assert.False(host.Find("console-input").HasAttribute("disabled"));
    }

    [Fact]
    public async Task A_spoken_answer_is_recorded_streamed_transcribed_and_taken_and_recording_stops_by_itself_after_15_seconds()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        await using var app = new VoiceAgentFactory(Database) { Settings = new() { ["OpenAi:Endpoint"] = openAi.Endpoint.ToString() } };
        var superAdmin = await app.LoginAsAdminAsync();
        (await superAdmin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = OpenAiKey })).EnsureSuccessStatusCode();
        var (tenantId, _) = await app.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await app.SeedSampleFlowAsync(tenantId);
        await using var host = await RenderAsync(app, tenantId, flowId, speech: true);
        host.Recorder.Setup<TestConsole.RecordStart>("recordStart", _ => true).SetResult(new TestConsole.RecordStart("recording", "worklet", null));
        host.Recorder.Setup<IJSStreamReference>("recordStop").SetResult(new Recording(SimulationSpeechTests.Wav(16_000, 1.5)));
        await StartAsync(host);

        // Press: recording; press again: stopped, streamed to .NET, transcribed and taken.
        await host.Find("console-mic").ClickAsync(new MouseEventArgs());
        Assert.Equal("true", host.Find("console-mic").GetAttribute("aria-pressed"));
        Assert.Equal("worklet", host.Find("console-mic").GetAttribute("data-capture"));
        Assert.Equal("recording", host.Find("console-mic-status").GetAttribute("data-state"));
        Assert.True(host.Find("console-input").HasAttribute("disabled"));
        openAi.EnqueueTranscripts("Ich möchte gerne einen Termin vereinbaren");
        await host.Find("console-mic").ClickAsync(new MouseEventArgs());

        var spoken = host.View.Find("[data-testid='console-transcript'] li[data-source='speech']");
        Assert.Equal("Sie sagten: Ich möchte gerne einen Termin vereinbaren", spoken.TextContent.Trim());
        Assert.Contains("Der nächste freie Termin wäre am ", host.Lines()[^1]);
        Assert.Equal("false", host.Find("console-mic").GetAttribute("aria-pressed"));
        Assert.True(host.Find("console-mic-status").HasAttribute("hidden"));
        Assert.False(host.Find("console-input").HasAttribute("disabled"));
        var upload = Assert.Single(openAi.Transcriptions);
        Assert.InRange(upload.Wav!.Duration.TotalSeconds, 1.49, 1.51);

        // Nothing said for 15 s: the recording ends by itself and is sent; nothing heard takes no turn.
        openAi.EnqueueTranscripts("");
        await host.Find("console-mic").ClickAsync(new MouseEventArgs());
        host.Time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal("true", host.Find("console-mic").GetAttribute("aria-pressed"));
        host.Time.Advance(TimeSpan.FromSeconds(1));
        host.View.WaitForAssertion(() => Assert.StartsWith("Es wurde nichts verstanden.", host.Lines()[^1]), TimeSpan.FromSeconds(30));
        Assert.Equal("false", host.Find("console-mic").GetAttribute("aria-pressed"));
        Assert.Equal(2, openAi.Transcriptions.Count);
        // The component may still be calling into JS while the transcript shows: count once it is done.
        host.View.WaitForAssertion(() => Assert.Equal(2, host.Recorder.Invocations.ToList().Count(i => i.Identifier == "recordStop")),
            TimeSpan.FromSeconds(30));
    }

    private async Task<Guid> SingleSessionAsync(Guid tenantId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"SELECT id FROM flow_sessions WHERE tenant_id = '{tenantId}'", connection);
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    }
}
