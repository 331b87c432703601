using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.CallFlows;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Platform.Auditing;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>FlowVersions (what the versions endpoints and the designer's versions panel read) under row-level security.</summary>
public sealed class VersionsQueriesTests : IntegrationTest
{
    [Fact]
    public async Task Versions_diff_and_export_of_the_own_flow_and_nothing_of_another_tenants()
    {
        var (alpha, _) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var (beta, _) = await App.ApprovedTenantAsync("chef@b.de", "Salon Beta");
        var flowId = await App.SeedSampleFlowAsync(alpha);
        var foreign = await App.SeedSampleFlowAsync(beta);
        await AsTenantAsync(alpha, async (services, _) =>
        {
            var changed = JsonNode.Parse(FlowJson.Write(FlowJson.Parse(SampleFlows.BookingJson)))!;
            changed["nodes"]!.AsArray().Single(n => (string?)n!["id"] == "greeting")!["inputs"]!["text"] = "Hallo!";
            return await services.GetRequiredService<FlowService>().SaveDraftAsync(flowId, changed.ToJsonString(), new Actor(null, "chef@a.de"));
        });

        var (detail, diff, export, missing) = await AsTenantAsync(alpha, async (_, db) => (
            await FlowVersions.DetailAsync(db, flowId, default),
            await FlowVersions.DiffAsync(db, flowId, 1, 2, default),
            await FlowVersions.ExportAsync(db, flowId, 2, default),
            await FlowVersions.DiffAsync(db, flowId, 1, 9, default)));

        Assert.Equal("Terminannahme", detail!.Name);
        Assert.Equal([(2, "draft"), (1, "live")], detail.Versions.Select(v => (v.Version, v.Status)));
        var change = Assert.Single(diff!.NodesChanged);
        Assert.Equal("greeting", change.Id);
        Assert.Equal("Hallo!", Assert.Single(change.Inputs).After!.GetValue<string>());
        Assert.Equal("Terminannahme-v2.json", export!.FileName);
        Assert.Equal("Hallo!", FlowJson.Parse(export.Text).Nodes.Single(n => n.Id == "greeting").Inputs["text"]!.GetValue<string>());
        Assert.Null(missing);

        // Another tenant's flow reads as missing, as the endpoints' 404.
        var (otherDetail, otherDiff, otherExport) = await AsTenantAsync(alpha, async (_, db) => (
            await FlowVersions.DetailAsync(db, foreign, default),
            await FlowVersions.DiffAsync(db, foreign, 1, 1, default),
            await FlowVersions.ExportAsync(db, foreign, 1, default)));
        Assert.Null(otherDetail);
        Assert.Null(otherDiff);
        Assert.Null(otherExport);
    }

    [Theory]
    [InlineData("Terminannahme Müller & Söhne / Süd", 3, "Terminannahme-Mueller-Soehne-Sued-v3.json")]
    [InlineData("Café Ötztal", 1, "Cafe-Oetztal-v1.json")]
    [InlineData("???", 2, "ablauf-v2.json")]
    public void Export_file_names_are_ascii_and_name_the_version(string flowName, int version, string expected) =>
        Assert.Equal(expected, FlowVersions.FileName(flowName, version));
}
