using Bunit;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Versions;
using VoiceAgent.Web.Tests.Components;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>The versions panel's list from fixed versions: which actions each status offers, who may publish, the confirm
/// step and the block while the canvas has errors.</summary>
public sealed class VersionsListTests : MudComponentTest
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 8, 30, 0, TimeSpan.Zero);

    private static FlowsApi.VersionSummary Version(int version, string status, string? by = "chef@praxis.de", DateTimeOffset? published = null) =>
        new(version, status, Monday, Monday.AddMinutes(version), by, published, published is null ? null : by, 1);

    // Newest first, as the panel passes them.
    private static readonly IReadOnlyList<FlowsApi.VersionSummary> History =
        [Version(4, "draft"), Version(3, "staged"), Version(2, "live", published: Monday.AddHours(1)), Version(1, "retired", by: null)];

    private readonly List<string> calls = [];

    private IRenderedComponent<VersionList> RenderList(int open = 4, bool canPublish = true, bool hasErrors = false,
        IReadOnlyList<FlowsApi.VersionSummary>? versions = null) =>
        Render<VersionList>(p => p
            .Add(v => v.Versions, versions ?? History)
            .Add(v => v.OpenVersion, open)
            .Add(v => v.CanPublish, canPublish)
            .Add(v => v.HasErrors, hasErrors)
            .Add(v => v.OnOpen, n => calls.Add($"open {n}"))
            .Add(v => v.OnStage, n => calls.Add($"stage {n}"))
            .Add(v => v.OnPublish, n => calls.Add($"publish {n}"))
            .Add(v => v.OnRollback, n => calls.Add($"rollback {n}"))
            .Add(v => v.OnExport, n => calls.Add($"export {n}")));

    private static List<string> Actions(IRenderedComponent<VersionList> list, int version) =>
        list.FindAll($"[data-testid='version-{version}'] .va-version-actions button").Select(b => b.GetAttribute("data-testid")!).ToList();

    [Fact]
    public void Each_status_offers_its_actions_newest_first_with_german_status_names()
    {
        var list = RenderList(open: 4);

        Assert.Equal(["version-4", "version-3", "version-2", "version-1"],
            list.FindAll("[data-testid='versions-list'] > li").Select(li => li.GetAttribute("data-testid")));
        Assert.Equal(["Entwurf", "Bereitgestellt", "Live", "Archiviert"],
            new[] { 4, 3, 2, 1 }.Select(v => list.Find($"[data-testid='status-{v}']").TextContent));
        Assert.Equal("draft", list.Find("[data-testid='version-4']").GetAttribute("data-status"));
        // The open version is marked and has no "open" button.
        Assert.Equal(["stage-4", "publish-4", "export-4"], Actions(list, 4));
        Assert.Contains("(geöffnet)", list.Find("[data-testid='version-4'] .va-version-head").TextContent);
        Assert.Equal(["open-3", "publish-3", "export-3"], Actions(list, 3));
        Assert.Equal(["open-2", "export-2"], Actions(list, 2));
        Assert.Equal(["open-1", "rollback-1", "export-1"], Actions(list, 1));
        Assert.Equal("Version 2", list.Find("[data-testid='version-2'] strong").TextContent);
        Assert.Contains("von chef@praxis.de", list.Find("[data-testid='version-2']").TextContent);
        Assert.Contains("veröffentlicht ", list.Find("[data-testid='version-2']").TextContent);
        Assert.DoesNotContain("von ", list.Find("[data-testid='version-1'] .va-muted").TextContent);
    }

    [Fact]
    public void A_member_who_is_not_admin_gets_no_publish_and_no_rollback()
    {
        var list = RenderList(canPublish: false);

        Assert.Equal(["stage-4", "export-4"], Actions(list, 4));
        Assert.Equal(["open-3", "export-3"], Actions(list, 3));
        Assert.Equal(["open-1", "export-1"], Actions(list, 1));
    }

    [Fact]
    public void Publish_asks_first_and_only_the_confirmation_publishes()
    {
        var list = RenderList();
        Assert.Empty(list.FindAll("[data-testid='confirm-publish-3']"));

        list.Find("[data-testid='publish-3']").Click();

        Assert.Empty(calls);
        var confirm = list.Find("[data-testid='confirm-3']");
        Assert.Contains("Version 3 veröffentlichen? Ab sofort nehmen alle Anrufe diese Fassung.", confirm.TextContent);
        Assert.Equal("true", list.Find("[data-testid='publish-3']").GetAttribute("aria-expanded"));
        Assert.Equal("Jetzt veröffentlichen", list.Find("[data-testid='confirm-publish-3']").TextContent);

        list.Find("[data-testid='cancel-publish-3']").Click();
        Assert.Empty(list.FindAll("[data-testid='confirm-publish-3']"));
        Assert.Empty(calls);

        list.Find("[data-testid='publish-3']").Click();
        list.Find("[data-testid='confirm-publish-3']").Click();
        Assert.Equal(["publish 3"], calls);
        Assert.Empty(list.FindAll("[data-testid='confirm-publish-3']"));
    }

    [Fact]
    public void Errors_on_the_canvas_block_publishing_the_open_version_and_say_why()
    {
        var list = RenderList(open: 4, hasErrors: true);

        Assert.True(list.Find("[data-testid='publish-4']").HasAttribute("disabled"));
        Assert.Equal("Veröffentlichen ist gesperrt, solange der Ablauf Fehler hat.", list.Find("[data-testid='publish-blocked']").TextContent);
        // Another version is not the canvas: its publish stays free.
        Assert.False(list.Find("[data-testid='publish-3']").HasAttribute("disabled"));
        Assert.Single(list.FindAll("[data-testid='publish-blocked']"));

        list.Render(p => p.Add(v => v.HasErrors, false));

        Assert.False(list.Find("[data-testid='publish-4']").HasAttribute("disabled"));
        Assert.Empty(list.FindAll("[data-testid='publish-blocked']"));
    }

    [Fact]
    public void The_buttons_report_their_version()
    {
        var list = RenderList(open: 4);

        list.Find("[data-testid='stage-4']").Click();
        list.Find("[data-testid='open-2']").Click();
        list.Find("[data-testid='rollback-1']").Click();
        list.Find("[data-testid='export-3']").Click();

        Assert.Equal(["stage 4", "open 2", "rollback 1", "export 3"], calls);
    }

    [Fact]
    public void While_an_action_runs_the_buttons_wait()
    {
        var list = Render<VersionList>(p => p.Add(v => v.Versions, History).Add(v => v.OpenVersion, 4).Add(v => v.CanPublish, true)
            .Add(v => v.Busy, true));

        Assert.All(list.FindAll(".va-version-actions button"), b => Assert.True(b.HasAttribute("disabled"), b.GetAttribute("data-testid")));
    }
}
