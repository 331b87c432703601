using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.CallFlows;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>The server side of the flow designer: draft revisions, flow management, diff, export/import, picker options.</summary>
public sealed class FlowDesignerApiTests : IntegrationTest
{
    private const string Admin = "chef@praxis.de";

    private static JsonElement Definition(string text, int x = 0) => JsonSerializer.Deserialize<JsonElement>($$"""
        {
          "name": "egal",
          "nodes": [
            { "id": "start", "type": "Start", "position": { "x": 0, "y": 0 } },
            { "id": "hello", "type": "Speak", "inputs": { "text": "{{text}}" }, "position": { "x": {{x}}, "y": 120 } },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Auf Wiederhören" }, "position": { "x": 0, "y": 240 } }
          ],
          "connections": [
            { "from": "start", "outcome": "Done", "to": "hello" },
            { "from": "hello", "outcome": "Done", "to": "bye" }
          ]
        }
        """);

    private static async Task<Guid> CreateFlowAsync(HttpClient client, string name = "Rezeption", string text = "Guten Tag")
    {
        var response = await client.PostAsJsonAsync("/api/flows", new { name, definition = Definition(text) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> VersionAsync(HttpClient client, Guid id, int version)
    {
        var response = await client.GetAsync($"/api/flows/{id}/versions/{version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private static string SpeakText(JsonElement version) =>
        version.GetProperty("definition").GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("id").GetString() == "hello").GetProperty("inputs").GetProperty("text").GetString()!;

    private static HttpRequestMessage Put(string url, object body, string? culture = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        if (culture is not null)
        {
            request.Headers.Add("Cookie", $".AspNetCore.Culture=c%3D{culture}%7Cuic%3D{culture}");
        }

        return request;
    }

    private async Task<Guid> BindNumberAsync(HttpClient admin, Guid flowId, string number = "030 1234567")
    {
        var response = await admin.PostAsJsonAsync("/api/tenant/numbers", new { number, region = "DE", provider = "twilio", flowId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetGuid();
    }

    // ---- 1. draft revisions ------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_save_with_a_stale_revision_gets_409_and_the_first_editors_content_stays()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);
        Assert.Equal(1, (await VersionAsync(admin, id, 1)).GetProperty("revision").GetInt32());

        var first = await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Erster Editor"), revision = 1 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var saved = await Json(first);
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
        Assert.Equal("draft", saved.GetProperty("status").GetString());
        Assert.Equal(2, saved.GetProperty("revision").GetInt32());
        Assert.Empty(saved.GetProperty("errors").EnumerateArray());

        var second = await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Zweiter Editor"), revision = 1 });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        var problem = await Json(second);
        Assert.StartsWith($"Dieser Entwurf wurde inzwischen von {Admin} geändert. Ihre Änderungen sind nicht verloren:",
            problem.GetProperty("detail").GetString());
        Assert.Equal(2, problem.GetProperty("currentRevision").GetInt32());
        var stored = await VersionAsync(admin, id, 1);
        Assert.Equal("Erster Editor", SpeakText(stored));
        Assert.Equal(2, stored.GetProperty("revision").GetInt32());

        var english = await admin.SendAsync(Put($"/api/flows/{id}/draft", new { definition = Definition("x"), revision = 1 }, "en-GB"));
        Assert.StartsWith($"This draft has meanwhile been changed by {Admin}. Your changes are not lost:", (await Json(english)).GetProperty("detail").GetString());

        var retry = await Json(await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Zweiter Editor"), revision = 2 }));
        Assert.Equal(3, retry.GetProperty("revision").GetInt32());
        Assert.Equal("Zweiter Editor", SpeakText(await VersionAsync(admin, id, 1)));
    }

    [Fact]
    public async Task Two_simultaneous_saves_of_one_revision_store_exactly_one()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);

        var responses = await Task.WhenAll(
            admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("A"), revision = 1 }),
            admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("B"), revision = 1 }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(2, (await Json(responses.Single(r => r.StatusCode == HttpStatusCode.Conflict))).GetProperty("currentRevision").GetInt32());
        var stored = await VersionAsync(admin, id, 1);
        Assert.Contains(SpeakText(stored), new[] { "A", "B" });
        Assert.Equal(2, stored.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task A_null_revision_starts_a_new_draft_but_conflicts_with_an_existing_one_and_legacy_saves_are_unchecked()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();

        var fromLive = await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Neu"), revision = (int?)null });
        var saved = await Json(fromLive);
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        Assert.Equal(1, saved.GetProperty("revision").GetInt32());

        var again = await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Noch einmal"), revision = (int?)null });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, (await Json(again)).GetProperty("currentRevision").GetInt32());

        var legacy = await Json(await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Altes Skript") }));
        Assert.Equal(2, legacy.GetProperty("revision").GetInt32());
        Assert.Equal("Altes Skript", SpeakText(await VersionAsync(admin, id, 2)));
        Assert.Equal("Guten Tag", SpeakText(await VersionAsync(admin, id, 1)));

        var bad = await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("x"), revision = "zwei" });
        Assert.Contains("revision", (await FieldErrors(bad)).Keys);
    }

    [Fact]
    public async Task Node_positions_are_saved_with_the_draft()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);

        (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Guten Tag", x: 480), revision = 1 })).EnsureSuccessStatusCode();

        var hello = (await VersionAsync(admin, id, 1)).GetProperty("definition").GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("id").GetString() == "hello");
        Assert.Equal(480, hello.GetProperty("position").GetProperty("x").GetDouble());
        Assert.Equal(120, hello.GetProperty("position").GetProperty("y").GetDouble());
    }

    // ---- 2. flow management ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Rename_is_unique_per_tenant_and_audited()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);
        await CreateFlowAsync(admin, "Notdienst");

        var renamed = await admin.PatchAsJsonAsync($"/api/flows/{id}", new { name = "  Empfang  " });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var summary = await Json(renamed);
        Assert.Equal("Empfang", summary.GetProperty("name").GetString());
        Assert.Equal(1, summary.GetProperty("draftVersion").GetInt32());
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.renamed' AND details = 'Rezeption → Empfang'"));

        var taken = await FieldErrors(await admin.PatchAsJsonAsync($"/api/flows/{id}", new { name = "Notdienst" }));
        Assert.Equal(["Es gibt bereits einen Ablauf mit diesem Namen."], taken["name"]);
        Assert.Contains("name", (await FieldErrors(await admin.PatchAsJsonAsync($"/api/flows/{id}", new { name = " " }))).Keys);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM flows WHERE name = 'Empfang'"));
    }

    [Fact]
    public async Task Duplicate_copies_the_draft_under_a_unique_copy_name()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin, text: "Original");
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Entwurf v2"), revision = (int?)null })).EnsureSuccessStatusCode();

        var first = await admin.PostAsJsonAsync($"/api/flows/{id}/duplicate", new { });
        var second = await admin.PostAsync($"/api/flows/{id}/duplicate", null);
        var named = await admin.PostAsJsonAsync($"/api/flows/{id}/duplicate", new { name = "Sommerzeiten" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var copy = await Json(first);
        Assert.Equal("Rezeption (Kopie)", copy.GetProperty("name").GetString());
        Assert.Equal(1, copy.GetProperty("draftVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, copy.GetProperty("liveVersion").ValueKind);
        Assert.Empty(copy.GetProperty("numbers").EnumerateArray());
        Assert.Equal("Rezeption (Kopie 2)", (await Json(second)).GetProperty("name").GetString());
        Assert.Equal("Sommerzeiten", (await Json(named)).GetProperty("name").GetString());
        var copied = await VersionAsync(admin, copy.GetProperty("id").GetGuid(), 1);
        Assert.Equal("Entwurf v2", SpeakText(copied));
        Assert.Equal("draft", copied.GetProperty("status").GetString());
        Assert.Equal("Rezeption (Kopie)", copied.GetProperty("definition").GetProperty("name").GetString());
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.duplicated'"));

        Assert.Contains("name", (await FieldErrors(await admin.PostAsJsonAsync($"/api/flows/{id}/duplicate", new { name = "Sommerzeiten" }))).Keys);
    }

    [Fact]
    public async Task Duplicate_without_a_draft_copies_the_live_version()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin, text: "Live-Text");
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();

        var copy = await Json(await admin.PostAsJsonAsync($"/api/flows/{id}/duplicate", new { }));

        Assert.Equal("Live-Text", SpeakText(await VersionAsync(admin, copy.GetProperty("id").GetGuid(), 1)));
    }

    [Fact]
    public async Task Delete_is_refused_while_a_number_points_at_the_flow_and_then_removes_versions_and_sessions_but_keeps_history()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var numberId = await BindNumberAsync(admin, flowId);
        (await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { })).EnsureSuccessStatusCode();

        var list = await Json(await admin.GetAsync("/api/flows"));
        Assert.Equal(["+49301234567"], list.EnumerateArray().Single().GetProperty("numbers").EnumerateArray().Select(n => n.GetString()));

        var refused = await admin.DeleteAsync($"/api/flows/{flowId}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var title = (await Json(refused)).GetProperty("title").GetString()!;
        Assert.Contains("„Terminannahme“ kann nicht gelöscht werden", title);
        Assert.Contains("+49 30 1234567", title);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flows WHERE id = '{flowId}'"));

        (await admin.DeleteAsync($"/api/tenant/numbers/{numberId}")).EnsureSuccessStatusCode();
        // A call that came in over the (now released) number keeps its dialled number when the binding goes.
        await ExecuteAsync($"""
            INSERT INTO calls (id, tenant_id, provider, provider_call_id, phone_number_id, flow_id, to_number, mode, status, started_at)
            VALUES (gen_random_uuid(), '{tenantId}', 'twilio', 'CA1', '{numberId}', '{flowId}', '+49301234567', 'gather', 'completed', now())
            """);

        var deleted = await admin.DeleteAsync($"/api/flows/{flowId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM flows WHERE id = '{flowId}'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM flow_versions WHERE flow_id = '{flowId}'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE flow_id = '{flowId}'"));
        // History stays: the released binding and the call keep their rows and lose only the link to the flow.
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers WHERE flow_id IS NULL AND released_at IS NOT NULL"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE phone_number_id IS NOT NULL AND flow_id IS NULL AND to_number = '+49301234567'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.deleted' AND details = 'Terminannahme'"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/flows/{flowId}")).StatusCode);
    }

    [Fact]
    public async Task Only_tenant_admins_delete_flows()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin);
        (await admin.PostAsJsonAsync("/api/tenant/users", new { email = "team@praxis.de", password = TestData.Password, role = "TenantUser" }))
            .EnsureSuccessStatusCode();
        var user = await App.LoginAsync("team@praxis.de", TestData.Password);

        Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync($"/api/flows/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.PatchAsJsonAsync($"/api/flows/{id}", new { name = "Team" })).StatusCode);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flows WHERE id = '{id}'"));
    }

    // ---- 3. diff -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Diff_between_two_versions_shows_a_changed_speak_text_and_ignores_moved_nodes()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin, text: "Guten Tag");
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Herzlich willkommen", x: 300), revision = (int?)null }))
            .EnsureSuccessStatusCode();

        var response = await admin.GetAsync($"/api/flows/{id}/diff?from=1&to=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var diff = await Json(response);
        var change = Assert.Single(diff.GetProperty("nodesChanged").EnumerateArray());
        Assert.Equal("hello", change.GetProperty("id").GetString());
        Assert.Equal("Speak", change.GetProperty("type").GetString());
        var input = Assert.Single(change.GetProperty("inputs").EnumerateArray());
        Assert.Equal("text", input.GetProperty("name").GetString());
        Assert.Equal("Guten Tag", input.GetProperty("before").GetString());
        Assert.Equal("Herzlich willkommen", input.GetProperty("after").GetString());
        foreach (var list in new[] { "nodesAdded", "nodesRemoved", "connectionsAdded", "connectionsRemoved", "variablesAdded", "variablesRemoved", "variablesChanged" })
        {
            Assert.Empty(diff.GetProperty(list).EnumerateArray());
        }

        Assert.False(diff.GetProperty("identical").GetBoolean());
        Assert.True((await Json(await admin.GetAsync($"/api/flows/{id}/diff?from=2&to=2"))).GetProperty("identical").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/flows/{id}/diff?from=1&to=9")).StatusCode);
        Assert.Contains("to", (await FieldErrors(await admin.GetAsync($"/api/flows/{id}/diff?from=1"))).Keys);
    }

    // ---- 4. export / import ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Export_is_a_json_attachment_with_a_safe_file_name_and_imports_back_to_an_equal_definition()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        (await admin.PatchAsJsonAsync($"/api/flows/{flowId}", new { name = "Terminannahme Müller & Söhne / Süd" })).EnsureSuccessStatusCode();

        var export = await admin.GetAsync($"/api/flows/{flowId}/versions/1/export");

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"Terminannahme-Mueller-Soehne-Sued-v1.json\"", string.Join(";", export.Content.Headers.GetValues("Content-Disposition")));
        var exported = await export.Content.ReadAsStringAsync();
        var definition = FlowJson.Parse(exported);
        Assert.Equal(33, definition.Nodes.Count);
        Assert.True(JsonNode.DeepEquals(Without(FlowJson.Write(FlowJson.Parse(SampleFlows.BookingJson)), "name"), Without(exported, "name")));

        var target = await CreateFlowAsync(admin, "Ziel");
        var imported = await admin.PostAsJsonAsync($"/api/flows/{target}/import", new { definition = exported, revision = 1 });

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var saved = await Json(imported);
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
        Assert.Equal(2, saved.GetProperty("revision").GetInt32());
        Assert.Empty(saved.GetProperty("errors").EnumerateArray());
        var reExported = await (await admin.GetAsync($"/api/flows/{target}/versions/1/export")).Content.ReadAsStringAsync();
        Assert.True(JsonNode.DeepEquals(Without(exported, "name"), Without(reExported, "name")));
        Assert.Equal("Ziel", FlowJson.Parse(reExported).Name);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.imported' AND details = 'Ziel v1'"));
    }

    private static JsonNode Without(string json, string property)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove(property);
        return node;
    }

    [Theory]
    [InlineData("""{ "nodes": [ { "id": "start", "type": "Start" }""", "Die Ablaufdefinition ist kein gültiges JSON.")]
    [InlineData("""{ "name": "package.json", "version": "1.0.0" }""", "Das ist keine Ablaufdefinition")]
    [InlineData("""[ { "id": "start", "type": "Start" } ]""", "Das ist keine Ablaufdefinition")]
    [InlineData("""{ "nodes": "start" }""", "Das ist keine Ablaufdefinition")]
    [InlineData("""{ "nodes": [ { "id": "start", "type": "Start", "position": "oben" } ] }""", "Das ist keine Ablaufdefinition")]
    [InlineData("""{ "nodes": [ null ] }""", "leere Einträge")]
    [InlineData("""{ "nodes": [ { "id": "start", "type": "Start" }, { "id": "x", "type": "Teleport" } ], "connections": [ { "from": "start", "outcome": "Done", "to": "x" } ] }""",
        "x: Unbekannter Aktivitätstyp „Teleport“.")]
    [InlineData("""{ "nodes": [ { "id": "start", "type": "Start" }, { "id": "start", "type": "Hangup" } ] }""", "Die Knoten-ID „start“ kommt mehrfach vor.")]
    [InlineData("""{ "nodes": [ { "id": "start", "type": "Start" } ], "connections": [ { "from": "start", "outcome": "Done", "to": "nirgendwo" } ] }""",
        "Der Ausgang „Done“ führt zu einem unbekannten Knoten „nirgendwo“.")]
    [InlineData("""{ "nodes": [ { "type": "Start" } ] }""", "hat keine ID")]
    public async Task Malformed_imports_are_400_in_german_and_change_nothing(string definition, string expected)
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin, text: "Unverändert");
        var before = await CountAsync("SELECT count(*) FROM flow_versions");

        var response = await admin.PostAsJsonAsync($"/api/flows/{id}/import", new { definition, revision = 1 });

        var errors = await FieldErrors(response);
        Assert.Contains(errors["definition"], m => m.Contains(expected));
        Assert.Equal(before, await CountAsync("SELECT count(*) FROM flow_versions"));
        var stored = await VersionAsync(admin, id, 1);
        Assert.Equal("Unverändert", SpeakText(stored));
        Assert.Equal(1, stored.GetProperty("revision").GetInt32());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.imported'"));
    }

    [Fact]
    public async Task Import_never_touches_the_live_version_and_replaces_a_draft_only_with_its_revision()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = await CreateFlowAsync(admin, text: "Live bleibt");
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();

        // An object works as well as a string; validation errors other than structural ones are kept with the draft.
        var incomplete = JsonSerializer.Deserialize<JsonElement>("""{ "nodes": [ { "id": "start", "type": "Start" }, { "id": "hello", "type": "Speak", "inputs": { "text": "Importiert" } } ], "connections": [ { "from": "start", "outcome": "Done", "to": "hello" } ] }""");
        var first = await admin.PostAsJsonAsync($"/api/flows/{id}/import", new { definition = incomplete });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var saved = await Json(first);
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        Assert.Equal(1, saved.GetProperty("revision").GetInt32());
        Assert.Equal("draft", saved.GetProperty("status").GetString());
        Assert.Contains("unconnected_outcome", saved.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()));

        var withoutRevision = await admin.PostAsJsonAsync($"/api/flows/{id}/import", new { definition = Definition("Überschreiben") });
        Assert.Equal(HttpStatusCode.Conflict, withoutRevision.StatusCode);
        Assert.Equal(1, (await Json(withoutRevision)).GetProperty("currentRevision").GetInt32());

        var replaced = await Json(await admin.PostAsJsonAsync($"/api/flows/{id}/import", new { definition = Definition("Überschreiben"), revision = 1 }));
        Assert.Equal(2, replaced.GetProperty("version").GetInt32());
        Assert.Equal(2, replaced.GetProperty("revision").GetInt32());

        var live = await VersionAsync(admin, id, 1);
        Assert.Equal("live", live.GetProperty("status").GetString());
        Assert.Equal("Live bleibt", SpeakText(live));
        Assert.Equal("Überschreiben", SpeakText(await VersionAsync(admin, id, 2)));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM flow_versions"));
    }

    [Fact]
    public async Task A_300_node_flow_fits_the_request_limits_for_import_and_save()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var sample = JsonNode.Parse(SampleFlows.BookingJson)!.AsObject();
        var nodes = new JsonArray();
        var connections = new JsonArray();
        for (var copy = 0; nodes.Count < 300; copy++)
        {
            foreach (var node in sample["nodes"]!.AsArray().Where(_ => nodes.Count < 300))
            {
                var clone = node!.DeepClone().AsObject();
                clone["id"] = $"{clone["id"]}_{copy}";
                clone["position"] = new JsonObject { ["x"] = 320 * copy + 17.5, ["y"] = (double)node["position"]!["y"]! };
                nodes.Add(clone);
            }

            foreach (var c in sample["connections"]!.AsArray())
            {
                connections.Add(new JsonObject { ["from"] = $"{c!["from"]}_{copy}", ["outcome"] = (string?)c["outcome"], ["to"] = $"{c["to"]}_{copy}" });
            }
        }

        // Connections to nodes cut off by the 300 limit would be refused: keep those within the copied nodes.
        var ids = nodes.Select(n => (string)n!["id"]!).ToHashSet();
        var kept = new JsonArray(connections.Where(c => ids.Contains((string)c!["from"]!) && ids.Contains((string)c["to"]!)).Select(c => c!.DeepClone()).ToArray());
        var text = new JsonObject { ["name"] = "Gross", ["nodes"] = nodes, ["connections"] = kept }.ToJsonString(FlowJson.Options);

        var imported = await admin.PostAsJsonAsync($"/api/flows/{flowId}/import", new { definition = text, revision = (int?)null });
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var version = (await Json(imported)).GetProperty("version").GetInt32();
        var saved = await admin.PutAsJsonAsync($"/api/flows/{flowId}/draft", new { definition = JsonNode.Parse(text), revision = 1 });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        Assert.Equal(300, (await VersionAsync(admin, flowId, version)).GetProperty("definition").GetProperty("nodes").GetArrayLength());
        Assert.True(text.Length > 100_000, $"{text.Length} characters is not a realistic 300-node flow");
    }

    // ---- 5. designer options -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Designer_options_list_voices_calendar_allow_list_intents_and_variables()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        (await admin.PutAsJsonAsync("/api/tenant/call-settings", new { transferTargets = new[] { "030 555555" }, handoffTarget = "+49 89 1234567" }))
            .EnsureSuccessStatusCode();

        var options = await Json(await admin.GetAsync("/api/flows/designer-options"));

        var voices = options.GetProperty("voices").EnumerateArray().ToDictionary(v => v.GetProperty("value").GetString()!, v => v.GetProperty("label").GetString());
        Assert.Equal("Deutsch, männlich (espeak-ng)", voices["de"]);
        Assert.Equal("Deutsch, weiblich (espeak-ng)", voices["de+f3"]);
        Assert.DoesNotContain("nova", voices.Keys);
        var calendar = Assert.Single(options.GetProperty("calendars").EnumerateArray());
        Assert.Equal("sandbox", calendar.GetProperty("value").GetString());
        Assert.Equal("Testkalender", calendar.GetProperty("label").GetString());
        var targets = options.GetProperty("transferTargets").EnumerateArray().Select(t => (t.GetProperty("value").GetString(), t.GetProperty("label").GetString())).ToList();
        Assert.Equal([("+4930555555", "+49 30 555555"), ("+49891234567", "+49 89 1234567 (Übergabe an einen Menschen)")], targets);
        var intents = options.GetProperty("intents").EnumerateArray().ToDictionary(i => i.GetProperty("value").GetString()!, i => i.GetProperty("label").GetString());
        Assert.Equal("Termin buchen", intents["book_appointment"]);
        Assert.Equal(8, intents.Count);
        var variables = options.GetProperty("variables").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains("tenant.name", variables);
        Assert.Contains("caller.number", variables);
        Assert.Contains("slot.text", variables);
        Assert.Contains("intent", variables);

        var superAdmin = await App.LoginAsAdminAsync();
        (await superAdmin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-test-0123456789abcdef" })).EnsureSuccessStatusCode();
        var withOpenAi = await Json(await admin.GetAsync("/api/flows/designer-options"));
        Assert.Contains(withOpenAi.GetProperty("voices").EnumerateArray(), v => v.GetProperty("value").GetString() == "nova"
                                                                            && v.GetProperty("label").GetString() == "Nova (OpenAI)");
    }

    // ---- tenant isolation --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Another_tenants_flow_is_404_for_every_designer_endpoint_and_stays_unchanged()
    {
        var (_, adminA) = await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        var (_, adminB) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        var foreign = await CreateFlowAsync(adminB, "Fremd", "Nicht anfassen");

        var responses = new[]
        {
            await adminA.PatchAsJsonAsync($"/api/flows/{foreign}", new { name = "Gekapert" }),
            await adminA.DeleteAsync($"/api/flows/{foreign}"),
            await adminA.PostAsJsonAsync($"/api/flows/{foreign}/duplicate", new { }),
            await adminA.PostAsJsonAsync($"/api/flows/{foreign}/import", new { definition = Definition("Gekapert"), revision = 1 }),
            await adminA.PutAsJsonAsync($"/api/flows/{foreign}/draft", new { definition = Definition("Gekapert"), revision = 1 }),
            await adminA.GetAsync($"/api/flows/{foreign}/versions/1/export"),
            await adminA.GetAsync($"/api/flows/{foreign}/diff?from=1&to=1"),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM flows"));
        Assert.Equal("Nicht anfassen", SpeakText(await VersionAsync(adminB, foreign, 1)));
        Assert.Equal(1, (await VersionAsync(adminB, foreign, 1)).GetProperty("revision").GetInt32());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flows WHERE name = 'Gekapert'"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
