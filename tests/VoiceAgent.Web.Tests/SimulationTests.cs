using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>A simulated caller talks to the sample "Terminannahme" flow through the API, against the sandbox calendar.</summary>
public sealed class SimulationTests : IntegrationTest
{
    private sealed record Session(HttpClient Client, Guid FlowId, Guid Id);

    private static async Task<(Session Session, string[] Lines)> StartAsync(HttpClient client, Guid flowId, string caller)
    {
        var response = await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = caller });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        return (new Session(client, flowId, body.GetProperty("sessionId").GetGuid()), Lines(body));
    }

    private static async Task<JsonElement> SayAsync(Session session, string text)
    {
        var response = await session.Client.PostAsJsonAsync($"/api/flows/{session.FlowId}/simulations/{session.Id}/turns", new { text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private static string[] Lines(JsonElement turn) => turn.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();

    [Fact]
    public async Task Caller_books_an_appointment_and_then_hears_it_when_asking_for_it()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);

        var (session, greeting) = await StartAsync(admin, flowId, "+491701234567");
        Assert.Equal("Guten Tag, Sie sprechen mit dem KI-Assistenten von Praxis Dr. Weber. Ich bin eine künstliche Intelligenz, kein Mensch.", greeting[0]);
        Assert.StartsWith("Ich kann einen Termin für Sie vereinbaren", greeting[1]);

        var offer = await SayAsync(session, "Ich möchte gerne einen Termin vereinbaren");
        var offerLine = Assert.Single(Lines(offer));
        Assert.StartsWith("Der nächste freie Termin wäre am ", offerLine);
        var slotText = offer.GetProperty("variables").GetProperty("slot").GetProperty("text").GetString()!;
        Assert.Contains(slotText, offerLine);

        var booked = await SayAsync(session, "Ja, das passt");
        Assert.Equal([$"Ihr Termin am {slotText} ist eingetragen. Wir freuen uns auf Sie.", "Kann ich sonst noch etwas für Sie tun?"], Lines(booked));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}' AND caller_number = '+491701234567' AND status = 'confirmed'"));

        var told = await SayAsync(session, "Wann ist mein Termin?");
        Assert.Equal($"Ihr nächster Termin ist am {slotText}.", Lines(told)[0]);

        var bye = await SayAsync(session, "Nein danke, tschüss");
        Assert.Equal("completed", bye.GetProperty("status").GetString());
        Assert.Equal("Vielen Dank für Ihren Anruf. Auf Wiederhören!", Lines(bye)[^1]);
    }

    [Fact]
    public async Task A_second_booking_of_the_same_slot_takes_the_conflict_path()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var (first, _) = await StartAsync(admin, flowId, "+491701111111");
        var (second, _) = await StartAsync(admin, flowId, "+491702222222");
        var offeredFirst = await SayAsync(first, "Ich brauche einen Termin");
        var offeredSecond = await SayAsync(second, "Ich brauche einen Termin");
        var slot = offeredFirst.GetProperty("variables").GetProperty("slot").GetProperty("text").GetString();
        Assert.Equal(slot, offeredSecond.GetProperty("variables").GetProperty("slot").GetProperty("text").GetString());

        Assert.Contains("ist eingetragen", Lines(await SayAsync(first, "Ja"))[0]);
        var conflict = await SayAsync(second, "Ja");

        var lines = Lines(conflict);
        Assert.Equal("Dieser Termin wurde gerade vergeben. Ich suche Ihnen einen anderen.", lines[0]);
        Assert.StartsWith("Der nächste freie Termin wäre am ", lines[1]);
        Assert.DoesNotContain(slot!, lines[1]);
        Assert.Contains("slotTaken", conflict.GetProperty("visited").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task Asking_for_a_human_outside_reachability_takes_a_message()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var (session, _) = await StartAsync(admin, flowId, "+491701234567");

        var handoff = await SayAsync(session, "Ich möchte mit einem Mitarbeiter sprechen");

        var visited = handoff.GetProperty("visited").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains("handoff", visited);
        var lines = Lines(handoff);
        Assert.True(lines[^1].StartsWith("Leider ist gerade niemand erreichbar", StringComparison.Ordinal)
                    || handoff.GetProperty("transfers").GetArrayLength() == 1, string.Join(" | ", lines));
    }

    [Fact]
    public async Task Turns_on_an_ended_or_foreign_session_are_refused()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var (session, _) = await StartAsync(admin, flowId, "+491701234567");
        await SayAsync(session, "Auf Wiederhören");

        var ended = await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{session.Id}/turns", new { text = "Hallo?" });
        Assert.Equal(HttpStatusCode.Conflict, ended.StatusCode);

        var (_, other) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        var foreign = await other.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{session.Id}/turns", new { text = "Hallo?" });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }
}
