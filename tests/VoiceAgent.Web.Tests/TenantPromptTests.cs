using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The tenant's system prompt against the real database (stored per tenant, validated, audited, rendered with the tenant's
/// facts) and in a run: the language model hears it first, and every run starts with the AI disclosure.
/// </summary>
public sealed class TenantPromptTests : IntegrationTest
{
    private const string Prompt =
        "Du bist der Telefonassistent von {{ tenant.name }} in {{ tenant.city }}. Geöffnet: {{ tenant.opening_hours }}. Adresse: {{ tenant.address }}.";

    private static readonly Actor Chef = new(null, "chef@praxis.de");

    public TenantPromptTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    private Task<T> WithPromptsAsync<T>(Guid scopeTenant, Func<TenantPrompts, Task<T>> work) =>
        AsTenantAsync(scopeTenant, (sp, _) => work(sp.GetRequiredService<TenantPrompts>()));

    [Fact]
    public async Task A_valid_prompt_is_stored_per_tenant_audited_and_rendered_with_the_tenants_facts()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var (otherId, _) = await App.ApprovedTenantAsync("salon@beta.de", "Salon Beta");
        await App.SeedSampleFlowAsync(tenantId);

        var saved = await WithPromptsAsync(tenantId, p => p.SaveAsync(tenantId, "  " + Prompt + "\r\n", "praxis", Chef, default));

        Assert.Equal(OutcomeKind.Ok, saved.Kind);
        Assert.Equal(Prompt, saved.Value);
        Assert.Equal(Prompt, await WithPromptsAsync(tenantId, p => p.GetAsync(tenantId, default)));
        Assert.Equal("Du bist der Telefonassistent von Praxis Dr. Weber in München. Geöffnet: Montag bis Freitag 9:00 bis 17:00 Uhr. "
                     + "Adresse: Hauptstraße 12a, 80331 München.", await WithPromptsAsync(tenantId, p => p.RenderAsync(tenantId, default)));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM tenant_prompts WHERE tenant_id = '{tenantId}' AND template_key = 'praxis'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'prompt.saved' AND actor_email = 'chef@praxis.de'"));

        // The other tenant has none, cannot read this one and cannot write it.
        Assert.Null(await WithPromptsAsync(otherId, p => p.GetAsync(otherId, default)));
        Assert.Null(await WithPromptsAsync(otherId, p => p.GetAsync(tenantId, default)));
        Assert.Null(await WithPromptsAsync(otherId, p => p.RenderAsync(tenantId, default)));
        var foreign = await WithPromptsAsync(otherId, p => p.SaveAsync(tenantId, Prompt, null, Chef, default));
        Assert.Equal(OutcomeKind.NotFound, foreign.Kind);
        Assert.Equal(Prompt, await WithPromptsAsync(tenantId, p => p.GetAsync(tenantId, default)));
    }

    [Fact]
    public async Task A_bad_prompt_gets_german_field_errors_and_stores_nothing()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");

        var tooShort = await WithPromptsAsync(tenantId, p => p.SaveAsync(tenantId, "Sei nett.", null, Chef, default));
        var unknown = await WithPromptsAsync(tenantId, p => p.SaveAsync(tenantId, Prompt + " Inhaber: {{ tenant.owner }}.", null, Chef, default));
        var template = await WithPromptsAsync(tenantId, p => p.SaveAsync(tenantId, Prompt, "pizzeria", Chef, default));

        Assert.Equal(OutcomeKind.Invalid, tooShort.Kind);
        Assert.Equal(["Der System-Prompt ist zu kurz: mindestens 40 Zeichen, jetzt 9."], tooShort.Errors!["prompt"]);
        Assert.Contains("„{{ tenant.owner }}“", Assert.Single(unknown.Errors!["prompt"]));
        Assert.Equal(["Diese Vorlage gibt es nicht."], template.Errors!["templateKey"]);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_prompts"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'prompt.saved'"));
    }

    [Fact]
    public async Task The_language_model_hears_the_tenant_prompt_before_the_ask_nodes_prompt_and_every_run_starts_with_the_disclosure()
    {
        var (app, openAi) = await SimulationSpeechTests.WithSpeechToTextAsync(Database);
        await using (openAi)
        await using (app)
        {
            var (tenantId, admin) = await app.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
            await app.SeedSampleFlowAsync(tenantId);
            Assert.Equal(OutcomeKind.Ok, (await WithPromptsAsync(tenantId, p => p.SaveAsync(tenantId, Prompt, null, Chef, default))).Kind);
            var created = await admin.PostAsJsonAsync("/api/flows", new { name = "KI-Test", definition = JsonNode.Parse(AskFlow) });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var flowId = (await Json(created)).GetProperty("id").GetGuid();
            openAi.Enqueue(new FakeChatReply.Completion("Gern, dafür bin ich da.", "book_appointment"));

            var (call, start) = await SimulatedCall.StartAsync(admin, flowId, "+491701234567");
            var turn = await call.SayAsync("Ich brauche einen Termin");

            // The flow's first node says "Hallo!"; the disclosure comes before it, and is in the model's transcript too.
            Assert.Equal([TenantPrompts.Disclosure("de", "Praxis Dr. Weber"), "Hallo!"], SimulatedCall.Lines(start));
            Assert.Equal(["Gern, dafür bin ich da.", "Auf Wiederhören!"], SimulatedCall.Lines(turn));
            var chat = Assert.Single(openAi.Requests, r => r.Path == "/v1/chat/completions");
            var messages = chat.Body!["messages"]!.AsArray();
            var system = Text(messages[0]!["content"]);
            Assert.Equal("system", (string?)messages[0]!["role"]);
            Assert.StartsWith("Du bist der Telefonassistent von Praxis Dr. Weber in München. Geöffnet: Montag bis Freitag 9:00 bis 17:00 Uhr.", system);
            Assert.Contains("\n\nKnotenanweisung: Frage nach dem Anliegen.", system);
            Assert.True(system.IndexOf("Praxis Dr. Weber", StringComparison.Ordinal) < system.IndexOf("Knotenanweisung", StringComparison.Ordinal));
            Assert.DoesNotContain("{{", system);
            Assert.Equal([TenantPrompts.Disclosure("de", "Praxis Dr. Weber"), "Hallo!", "Ich brauche einen Termin"],
                messages.Skip(1).Select(m => Text(m!["content"])));
        }
    }

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue value => (string)value!,
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        _ => "",
    };

    private const string AskFlow = """
        {
          "nodes": [
            { "id": "start", "type": "Start", "inputs": {}, "position": { "x": 0, "y": 0 } },
            { "id": "hello", "type": "Speak", "inputs": { "text": "Hallo!" }, "position": { "x": 0, "y": 100 } },
            { "id": "listen", "type": "Listen", "inputs": { "expectation": "text" }, "position": { "x": 0, "y": 200 } },
            { "id": "ask", "type": "Ask", "inputs": { "systemPrompt": "Knotenanweisung: Frage nach dem Anliegen.", "intents": ["book_appointment"] },
              "position": { "x": 0, "y": 300 } },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Auf Wiederhören!" }, "position": { "x": 0, "y": 400 } }
          ],
          "connections": [
            { "from": "start", "outcome": "Done", "to": "hello" },
            { "from": "hello", "outcome": "Done", "to": "listen" },
            { "from": "listen", "outcome": "Recognized", "to": "ask" },
            { "from": "listen", "outcome": "NoInput", "to": "bye" },
            { "from": "listen", "outcome": "NoMatch", "to": "bye" },
            { "from": "ask", "outcome": "book_appointment", "to": "bye" },
            { "from": "ask", "outcome": "Unknown", "to": "bye" },
            { "from": "ask", "outcome": "Failed", "to": "bye" }
          ]
        }
        """;
}
