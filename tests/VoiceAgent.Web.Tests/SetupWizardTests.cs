using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;
using VoiceAgent.Web.Setup;

namespace VoiceAgent.Web.Tests;

/// <summary>The setup wizard's state and last step (issue #15), with the real PostgreSQL and the real webhook path.</summary>
public sealed class SetupWizardTests : IntegrationTest
{
    private const string Number = "+49301234567";
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private static readonly Actor Chef = new(null, "chef@praxis.de");

    [Fact]
    public async Task Approval_opens_the_wizard_and_skip_and_resume_are_audited_and_survive_a_restart()
    {
        var (tenantId, chef) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha", skipSetup: false);
        var state = await Json(await chef.GetAsync("/api/tenant/setup"));
        Assert.True(state.GetProperty("open").GetBoolean());
        Assert.Equal(1, state.GetProperty("step").GetInt32());

        Assert.False((await Json(await chef.PostAsync("/api/tenant/setup/skip", null))).GetProperty("open").GetBoolean());
        Assert.True((await Json(await chef.PostAsync("/api/tenant/setup/resume", null))).GetProperty("open").GetBoolean());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = 'setup.skipped' AND tenant_id = '{tenantId}'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = 'setup.resumed' AND tenant_id = '{tenantId}'"));

        // A later step cannot be opened before the ones before it; finishing one moves on, and a new host resumes there.
        await AsTenantAsync(tenantId, async (services, _) =>
        {
            var wizard = services.GetRequiredService<SetupWizard>();
            Assert.Equal(1, (await wizard.OpenAsync(tenantId, SetupStep.Publish, default)).Step);
            return await wizard.FinishAsync(tenantId, SetupStep.Number, Chef, Number, default, s => s.Number = Number);
        });
        await using var restarted = new VoiceAgentFactory(Database);
        var again = await restarted.LoginAsync("chef@praxis.de", TestData.Password);
        var resumed = await Json(await again.GetAsync("/api/tenant/setup"));
        Assert.Equal(2, resumed.GetProperty("step").GetInt32());
        Assert.Equal(Number, resumed.GetProperty("number").GetString());
        Assert.Equal(["number"], resumed.GetProperty("done").EnumerateArray().Select(d => d.GetString()!).ToArray());
    }

    [Fact]
    public async Task Publishing_before_the_other_steps_are_done_is_refused_and_stores_nothing()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha", skipSetup: false);
        var outcome = await AsTenantAsync(tenantId, (services, _) => services.GetRequiredService<SetupPublisher>().PublishAsync(tenantId, Chef, default));
        Assert.Equal(OutcomeKind.Conflict, outcome.Kind);
        Assert.Contains("Schritte 1 bis 4", outcome.Message);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flows"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM phone_numbers"));
    }

    [Fact]
    public async Task Publishing_copies_the_sample_publishes_it_binds_the_number_and_is_safe_to_repeat()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha", skipSetup: false);
        await App.SeedSampleFlowAsync(tenantId); // an existing "Terminannahme": the copy gets the next free name
        await FinishStepsOneToFourAsync(tenantId);

        var first = await PublishAsync(tenantId);
        Assert.Equal(OutcomeKind.Ok, first.Kind);
        Assert.NotNull(first.Value!.PublishedAt);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flows WHERE name = 'Terminannahme 2' AND id = '{first.Value.FlowId}'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flow_versions WHERE flow_id = '{first.Value.FlowId}' AND status = 'live'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM phone_numbers WHERE number = '{Number}' AND flow_id = '{first.Value.FlowId}' AND released_at IS NULL"));

        var second = await PublishAsync(tenantId);
        Assert.Equal(OutcomeKind.Ok, second.Kind);
        Assert.Equal(first.Value.FlowId, second.Value!.FlowId);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM flows"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers"));
    }

    [Fact]
    public async Task The_test_call_runs_over_the_signed_twilio_webhooks_records_the_call_and_completes_the_wizard()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = "AC" + new string('1', 32) })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha", skipSetup: false);
        await FinishStepsOneToFourAsync(tenantId);
        var state = (await PublishAsync(tenantId)).Value!;

        var target = await AsTenantAsync(tenantId, (services, _) =>
            services.GetRequiredService<SetupTestCallTargets>().ForAsync(state, App.Server.BaseAddress, default));
        Assert.NotNull(target);
        Assert.Equal(AuthToken, target.AuthToken);
        var call = new SetupTestCall(App.CreateClient(), target, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await call.StartAsync(default);
        Assert.Equal(TestCallState.Listening, call.State);
        Assert.Contains("Praxis Alpha", call.Transcript[0].Text);

        await call.SayAsync("Ich möchte einen Termin vereinbaren", default);
        Assert.Contains(call.Transcript, l => !l.Caller && l.Text.Contains("freie Termin", StringComparison.Ordinal));
        await call.HangUpAsync(default);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM calls WHERE provider_call_id = '{call.CallSid}' AND status = 'completed'"));

        // A forged signature is refused and starts no call.
        var forged = new SetupTestCall(App.CreateClient(), target with { AuthToken = new string('f', 32) }, TimeProvider.System);
        var refused = await Assert.ThrowsAsync<TestCallException>(() => forged.StartAsync(default));
        Assert.Equal(TestCallError.Refused, refused.Error);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));

        var done = await AsTenantAsync(tenantId, (services, _) => services.GetRequiredService<SetupWizard>().TestCallMadeAsync(tenantId, Chef, call.CallSid, default));
        Assert.NotNull(done.CompletedAt);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = 'setup.completed' AND tenant_id = '{tenantId}'"));
    }

    [Fact]
    public async Task A_gather_mode_call_speaks_with_the_tenants_google_voice_and_without_a_google_choice_with_twilios_default()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha", skipSetup: false);
        await FinishStepsOneToFourAsync(tenantId);
        await PublishAsync(tenantId);
        var twilio = App.CreateClient();

        async Task<string> RingAsync()
        {
            var fields = new List<KeyValuePair<string, string>>
            {
                new("CallSid", "CA" + Guid.NewGuid().ToString("N")), new("From", "+4915100000000"), new("To", Number), new("CallStatus", "ringing"),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Add("X-Twilio-Signature",
                VoiceAgent.Telephony.Twilio.TwilioSignature.Compute(AuthToken, new Uri(App.Server.BaseAddress, "/telephony/twilio/voice").AbsoluteUri, fields));
            var response = await twilio.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync();
        }

        var before = System.Xml.Linq.XDocument.Parse(await RingAsync());
        Assert.All(before.Descendants("Say"), say => Assert.Null(say.Attribute("voice")));

        await ExecuteAsync($"INSERT INTO tenant_speech (tenant_id, provider, voice, updated_at) VALUES ('{tenantId}', 'google', 'de-DE-Neural2-B', now())");
        var after = System.Xml.Linq.XDocument.Parse(await RingAsync());
        Assert.NotEmpty(after.Descendants("Say"));
        Assert.All(after.Descendants("Say"), say => Assert.Equal("Google.de-DE-Neural2-B", say.Attribute("voice")?.Value));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task FinishStepsOneToFourAsync(Guid tenantId) =>
        AsTenantAsync(tenantId, async (services, _) =>
        {
            var wizard = services.GetRequiredService<SetupWizard>();
            await wizard.FinishAsync(tenantId, SetupStep.Number, Chef, Number, default, s =>
            {
                s.Number = Number;
                s.NumberAccount = SetupNumberAccounts.PlatformTwilio;
            });
            foreach (var step in new[] { SetupStep.Speech, SetupStep.Prompt, SetupStep.Calendar })
            {
                await wizard.FinishAsync(tenantId, step, Chef, "test", default);
            }

            return true;
        });

    private Task<Outcome<SetupWizardState>> PublishAsync(Guid tenantId) =>
        AsTenantAsync(tenantId, (services, _) => services.GetRequiredService<SetupPublisher>().PublishAsync(tenantId, Chef, default));
}
