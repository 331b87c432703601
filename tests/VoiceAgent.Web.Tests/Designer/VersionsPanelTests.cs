using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor.Services;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Versions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>
/// The versions panel against the real database, as the designer page runs it: PortalData in the signed-in user's tenant,
/// the flow service behind stage, publish and rollback, the diff and the export from FlowVersions.
/// </summary>
public sealed class VersionsPanelTests : IntegrationTest
{
    private const string NewGreeting = "Willkommen in der Praxis Dr. Designer! Wie kann ich helfen?";

    private readonly List<VersionStatusChange> changes = [];
    private int flushes;

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    private static ClaimsPrincipal User(Guid tenantId, bool admin) => new(new ClaimsIdentity(
    [
        new Claim(AppClaimsPrincipalFactory.TenantIdClaim, tenantId.ToString()),
        new Claim(ClaimTypes.Email, "chef@praxis.de"),
        new Claim(ClaimTypes.Role, admin ? Roles.TenantAdmin : Roles.TenantUser),
    ], "test"));

    /// <summary>A bunit context whose PortalData opens scopes of the test's app host (its database) as <paramref name="user"/>.</summary>
    private BunitContext Browser(ClaimsPrincipal user)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddSingleton<AuthenticationStateProvider>(new SignedIn(user));
        context.Services.AddSingleton(App.Services.GetRequiredService<ActivityRegistry>());
        context.Services.AddSingleton(sp => new PortalData(App.Services.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<AuthenticationStateProvider>(), sp.GetRequiredService<NavigationManager>()));
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("de-DE");
        return context;
    }

    private IRenderedComponent<VersionsPanel> RenderPanel(BunitContext context, Guid flowId, int open, string status, bool canPublish = true,
        bool hasErrors = false, bool flushOk = true, IJSObjectReference? module = null) =>
        context.Render<VersionsPanel>(p => p
            .Add(v => v.FlowId, flowId)
            .Add(v => v.OpenVersion, open)
            .Add(v => v.OpenStatus, status)
            .Add(v => v.CanPublish, canPublish)
            .Add(v => v.HasErrors, hasErrors)
            .Add(v => v.FlushSave, () =>
            {
                flushes++;
                return Task.FromResult(flushOk);
            })
            .Add(v => v.Module, module)
            .Add(v => v.OnStatusChanged, c => changes.Add(c)));

    /// <summary>The sample flow (version 1 live) and a draft version 2 with another greeting.</summary>
    private async Task<(Guid TenantId, Guid FlowId)> SampleWithDraftAsync()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var saved = await AsTenantAsync(tenantId, async (services, db) =>
        {
            var stored = await db.FlowVersions.Where(v => v.FlowId == flowId && v.Version == 1).Select(v => v.Definition).SingleAsync();
            var definition = JsonNode.Parse(stored)!;
            definition["nodes"]!.AsArray().Single(n => (string?)n!["id"] == "greeting")!["inputs"]!["text"] = NewGreeting;
            return await services.GetRequiredService<FlowService>().SaveDraftAsync(flowId, definition.ToJsonString(), new Actor(null, "chef@praxis.de"));
        });
        Assert.Equal(2, saved.Value!.Version.Version);
        return (tenantId, flowId);
    }

    private async Task<Dictionary<int, string>> StatusesAsync(Guid tenantId, Guid flowId) =>
        await AsTenantAsync(tenantId, async (_, db) => (await FlowVersions.DetailAsync(db, flowId, default))!.Versions
            .ToDictionary(v => v.Version, v => v.Status));

    [Fact]
    public async Task Stage_publish_with_confirmation_diff_and_rollback_change_the_stored_versions_and_tell_the_host()
    {
        var (tenantId, flowId) = await SampleWithDraftAsync();
        await using var browser = Browser(User(tenantId, admin: true));
        var panel = RenderPanel(browser, flowId, open: 2, status: "draft");
        panel.WaitForAssertion(() => Assert.Equal("Entwurf", panel.Find("[data-testid='status-2']").TextContent));
        Assert.Equal("Live", panel.Find("[data-testid='status-1']").TextContent);
        Assert.Empty(changes);

        await ClickAsync(panel, "stage-2");
        panel.WaitForAssertion(() => Assert.Equal("Bereitgestellt", panel.Find("[data-testid='status-2']").TextContent));
        Assert.Equal(new VersionStatusChange(2, "staged", "Version 2 ist bereitgestellt."), changes.Last());
        Assert.Equal(1, flushes);

        await ClickAsync(panel, "publish-2");
        Assert.Equal("staged", (await StatusesAsync(tenantId, flowId))[2]);
        await ClickAsync(panel, "confirm-publish-2");
        panel.WaitForAssertion(() => Assert.Equal("Live", panel.Find("[data-testid='status-2']").TextContent));
        Assert.Equal("Archiviert", panel.Find("[data-testid='status-1']").TextContent);
        Assert.Equal(new VersionStatusChange(2, "live", "Version 2 ist jetzt live."), changes.Last());

        // The diff names the Speak node and its text before → after (the default pair: previous against newest).
        Assert.Equal("1", panel.Find("[data-testid='diff-from']").GetAttribute("value"));
        Assert.Equal("2", panel.Find("[data-testid='diff-to']").GetAttribute("value"));
        await ClickAsync(panel, "diff-compare");
        panel.WaitForAssertion(() => Assert.Contains("Unterschiede von Version 1 zu Version 2", panel.Find("[data-testid='diff-view']").TextContent));
        var greeting = panel.Find("[data-testid='diff-nodes-changed'] li[data-node='greeting']");
        Assert.StartsWith("greeting (Sprechen)", greeting.TextContent);
        Assert.StartsWith("Ich kann einen Termin", greeting.QuerySelector(".va-diff-before")!.TextContent);
        Assert.Equal(NewGreeting, greeting.QuerySelector(".va-diff-after")!.TextContent);
        Assert.Empty(panel.FindAll("[data-testid='diff-nodes-added']"));

        await ClickAsync(panel, "rollback-1");
        panel.WaitForAssertion(() => Assert.Equal("Live", panel.Find("[data-testid='status-1']").TextContent));
        Assert.Equal("Archiviert", panel.Find("[data-testid='status-2']").TextContent);
        // The open version 2 is retired now: the host relabels it and shows the confirmation.
        Assert.Equal(new VersionStatusChange(2, "retired", "Version 1 ist wieder live."), changes.Last());
        Assert.Equal(new Dictionary<int, string> { [1] = "live", [2] = "retired" }, await StatusesAsync(tenantId, flowId));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.rolled_back'"));
        Assert.Empty(panel.FindAll("[data-testid='versions-error']"));
    }

    [Fact]
    public async Task A_refused_action_shows_the_german_reason_and_changes_nothing()
    {
        var (tenantId, flowId) = await SampleWithDraftAsync();
        var audited = await CountAsync("SELECT count(*) FROM audit_entries WHERE action IN ('flow.published', 'flow.staged')");

        // A member whose page still offers publishing (say, the role was taken away meanwhile) is refused by the panel.
        await using (var member = Browser(User(tenantId, admin: false)))
        {
            var panel = RenderPanel(member, flowId, open: 2, status: "draft", canPublish: true);
            panel.WaitForAssertion(() => panel.Find("[data-testid='publish-2']"));
            await ClickAsync(panel, "publish-2");
            await ClickAsync(panel, "confirm-publish-2");
            panel.WaitForAssertion(() => Assert.Equal("Aktion fehlgeschlagen: Keine Berechtigung.", panel.Find("[data-testid='versions-error']").TextContent));
            Assert.Equal("Entwurf", panel.Find("[data-testid='status-2']").TextContent);
            // Publishing the open version stored the canvas first.
            Assert.Equal(1, flushes);
        }

        flushes = 0;
        // A failed save of the canvas stops an action on the open version before it reaches the service.
        await using (var admin = Browser(User(tenantId, admin: true)))
        {
            var panel = RenderPanel(admin, flowId, open: 2, status: "draft", flushOk: false);
            panel.WaitForAssertion(() => panel.Find("[data-testid='stage-2']"));
            await ClickAsync(panel, "stage-2");
            panel.WaitForAssertion(() => Assert.Equal(1, flushes));
            Assert.Equal("Entwurf", panel.Find("[data-testid='status-2']").TextContent);
        }

        Assert.Equal(new Dictionary<int, string> { [1] = "live", [2] = "draft" }, await StatusesAsync(tenantId, flowId));
        Assert.Equal(audited, await CountAsync("SELECT count(*) FROM audit_entries WHERE action IN ('flow.published', 'flow.staged')"));
        Assert.Empty(changes);
    }

    [Fact]
    public async Task A_version_whose_definition_has_errors_is_not_published_and_the_errors_are_named()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de");
        var flowId = await AsTenantAsync(tenantId, async (services, _) =>
            (await services.GetRequiredService<FlowService>().CreateAsync(tenantId, "Kaputt",
                """{ "name": "x", "nodes": [ { "id": "say", "type": "Speak" } ], "connections": [] }""", new Actor(null, "chef@praxis.de"))).Value!.Id);
        await using var browser = Browser(User(tenantId, admin: true));
        // The host does not know of errors (another version is open), so the service has the last word.
        var panel = RenderPanel(browser, flowId, open: 7, status: "draft");
        panel.WaitForAssertion(() => panel.Find("[data-testid='publish-1']"));

        await ClickAsync(panel, "publish-1");
        await ClickAsync(panel, "confirm-publish-1");

        panel.WaitForAssertion(() => Assert.Contains("Start-Knoten", panel.Find("[data-testid='versions-error']").TextContent));
        Assert.StartsWith("Aktion fehlgeschlagen: ", panel.Find("[data-testid='versions-error']").TextContent);
        Assert.Equal("draft", (await StatusesAsync(tenantId, flowId))[1]);
        Assert.Equal(0, flushes);
    }

    [Fact]
    public async Task Export_stores_the_open_canvas_first_and_hands_the_file_to_the_modules_download()
    {
        var (tenantId, flowId) = await SampleWithDraftAsync();
        await using var browser = Browser(User(tenantId, admin: false));
        var download = browser.JSInterop.SetupModule("./designer.js");
        download.SetupVoid("download", _ => true).SetVoidResult();
        var module = await browser.JSInterop.JSRuntime.InvokeAsync<IJSObjectReference>("import", "./designer.js");
        var panel = RenderPanel(browser, flowId, open: 2, status: "draft", canPublish: false, module: module);
        panel.WaitForAssertion(() => panel.Find("[data-testid='export-1']"));
        Assert.Equal("Veröffentlichen und Zurückrollen dürfen nur Administratoren.", panel.Find("[data-testid='versions-admin-only']").TextContent);

        await ClickAsync(panel, "export-1");
        panel.WaitForAssertion(() => Assert.Single(download.Invocations["download"]));
        Assert.Equal(0, flushes);
        await ClickAsync(panel, "export-2");
        panel.WaitForAssertion(() => Assert.Equal(2, download.Invocations["download"].Count));
        Assert.Equal(1, flushes);

        var arguments = download.Invocations["download"].Select(i => i.Arguments).ToList();
        Assert.Equal("Terminannahme-v1.json", arguments[0][0]);
        Assert.Equal("Terminannahme-v2.json", arguments[1][0]);
        Assert.Contains("Ich kann einen Termin", (string)arguments[0][1]!);
        Assert.Contains(NewGreeting, (string)arguments[1][1]!);
    }

    [Fact]
    public async Task A_refresh_from_the_host_shows_a_new_draft_and_reports_a_status_the_host_does_not_know()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        await using var browser = Browser(User(tenantId, admin: true));
        // The host still thinks version 1 is a draft.
        var panel = RenderPanel(browser, flowId, open: 1, status: "draft");
        panel.WaitForAssertion(() => Assert.Equal([new VersionStatusChange(1, "live")], changes));
        Assert.Single(panel.FindAll("[data-testid='versions-list'] > li"));

        await AsTenantAsync(tenantId, async (services, _) =>
            await services.GetRequiredService<FlowService>().SaveDraftAsync(flowId, SampleFlows.BookingJson, new Actor(null, "chef@praxis.de")));
        panel.Render(p => p.Add(v => v.OpenVersion, 2).Add(v => v.OpenStatus, "draft").Add(v => v.Refresh, 1));

        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid='versions-list'] > li").Count));
        Assert.Contains("(geöffnet)", panel.Find("[data-testid='version-2']").TextContent);
        Assert.Single(changes);
    }

    /// <summary>Waits for the button (the panel renders after its data arrives) and clicks it on the renderer, so a
    /// re-render in between cannot leave a stale event handler.</summary>
    private static async Task ClickAsync(IRenderedComponent<VersionsPanel> panel, string testId)
    {
        var selector = $"[data-testid='{testId}']";
        panel.WaitForAssertion(() => panel.Find(selector));
        await panel.InvokeAsync(() => panel.Find(selector).Click());
    }
}
