using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>A tenant's own Twilio account (verified, encrypted, one tenant per account) and polite load shedding.</summary>
public sealed partial class TwilioAccountTests : IntegrationTest
{
    private const string PlatformToken = "0123456789abcdef0123456789abcdef";
    private const string OwnSid = "AC" + "00112233445566778899aabbccddeeff";
    private const string OwnToken = "fedcba9876543210fedcba9876543210";

    private static async Task<HttpResponseMessage> Webhook(HttpClient client, string path, Dictionary<string, string> form, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(token, "http://localhost" + path, form));
        return await client.SendAsync(request);
    }

    private static Dictionary<string, string> Inbound(string callSid, string to, string accountSid) => new()
    {
        ["CallSid"] = callSid,
        ["AccountSid"] = accountSid,
        ["From"] = "+491701234567",
        ["To"] = to,
        ["CallStatus"] = "ringing",
        ["Direction"] = "inbound",
        ["ApiVersion"] = "2010-04-01",
    };

    private static async Task<XDocument> Twiml(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<(Guid TenantId, HttpClient Admin)> TenantWithNumberAsync(VoiceAgentFactory app, string email, string company, string number)
    {
        var (tenantId, admin) = await app.ApprovedTenantAsync(email, company);
        var flowId = await app.SeedSampleFlowAsync(tenantId);
        (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number, region = "DE", flowId })).EnsureSuccessStatusCode();
        return (tenantId, admin);
    }

    [Fact]
    public async Task A_tenants_own_account_is_verified_stored_encrypted_and_signs_only_that_tenants_calls()
    {
        await using var twilioApi = await FakeTwilioAccountsApi.StartAsync(OwnSid, OwnToken);
        await using var app = new VoiceAgentFactory(Database) { Settings = { ["Twilio:ApiBaseUrl"] = twilioApi.BaseUrl } };
        var platform = await app.LoginAsAdminAsync();
        (await platform.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = PlatformToken })).EnsureSuccessStatusCode();
        var (alpha, alphaAdmin) = await TenantWithNumberAsync(app, "chef@a.de", "Praxis Alpha", "030 1111111");
        var (beta, betaAdmin) = await TenantWithNumberAsync(app, "chef@b.de", "Salon Beta", "040 2222222");

        // Wrong token: Twilio refuses it, nothing is stored.
        var rejected = await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = "ffffffffffffffffffffffffffffffff" });
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Contains("nicht angenommen", await rejected.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = "AC123", authToken = OwnToken })).StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenant_twilio_accounts"));

        var saved = await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var body = await saved.Content.ReadAsStringAsync();
        Assert.DoesNotContain(OwnToken, body);
        Assert.Contains(OwnSid, body);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM tenant_twilio_accounts WHERE protected_auth_token LIKE '%{OwnToken}%'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{alpha}' AND action = 'twilio_account.connected'"));

        // The same account cannot be claimed by another tenant, and the other tenant cannot see alpha's.
        var taken = await betaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken });
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("anderen Kunden", await taken.Content.ReadAsStringAsync());
        Assert.Contains("\"connected\":false", await betaAdmin.GetStringAsync("/api/tenant/twilio-account"));

        var twilio = app.CreateClient();
        // Signed by alpha's own account for alpha's number: the call is taken.
        var own = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('a', 32), "+49301111111", OwnSid), OwnToken));
        Assert.Contains("Praxis Alpha", own.Descendants("Say").First().Value);
        // Claiming alpha's account but signed with the platform token: forged.
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('b', 32), "+49301111111", OwnSid), PlatformToken)).StatusCode);
        // Alpha's account steering a call to beta's number: refused like an unknown number, nothing stored for beta.
        var foreign = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('c', 32), "+49402222222", OwnSid), OwnToken));
        Assert.Single(foreign.Descendants("Hangup"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM calls WHERE tenant_id = '{beta}'"));
        // Beta's calls still come through the platform account.
        var betaCall = await Twiml(await Webhook(twilio, "/telephony/twilio/voice",
            Inbound("CA" + new string('d', 32), "+49402222222", "AC" + new string('1', 32)), PlatformToken));
        Assert.Contains("Salon Beta", betaCall.Descendants("Say").First().Value);
        // Alpha's account cannot send status callbacks for beta's call.
        var status = new Dictionary<string, string> { ["CallSid"] = "CA" + new string('d', 32), ["AccountSid"] = OwnSid, ["CallStatus"] = "completed", ["CallDuration"] = "30" };
        Assert.Equal(HttpStatusCode.Forbidden, (await Webhook(twilio, "/telephony/twilio/status", status, OwnToken)).StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM usage_records"));

        // Disconnected: alpha's token no longer opens anything.
        Assert.Equal(HttpStatusCode.NoContent, (await alphaAdmin.DeleteAsync("/api/tenant/twilio-account")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('e', 32), "+49301111111", OwnSid), OwnToken)).StatusCode);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{alpha}' AND action = 'twilio_account.disconnected'"));
    }

    [Fact]
    public async Task New_calls_beyond_the_set_up_limit_hear_a_polite_busy_announcement_and_nothing_is_stored()
    {
        await using var app = new VoiceAgentFactory(Database)
        {
            Settings = { ["Telephony:MaxConcurrentCallSetups"] = "1", ["Telephony:CallSetupWait"] = "00:00:00.050" },
        };
        var platform = await app.LoginAsAdminAsync();
        (await platform.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = PlatformToken })).EnsureSuccessStatusCode();
        await TenantWithNumberAsync(app, "chef@a.de", "Praxis Alpha", "030 1111111");

        // Hold the only set-up slot, as a slow call set-up would.
        var admission = app.Services.GetRequiredService<CallAdmission>();
        var release = new TaskCompletionSource<CallTurn>(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = admission.RunAsync("twilio", () => release.Task, () => throw new InvalidOperationException(), CancellationToken.None);

        var busy = await Twiml(await Webhook(app.CreateClient(), "/telephony/twilio/voice",
            Inbound("CA" + new string('a', 32), "+49301111111", "AC" + new string('1', 32)), PlatformToken));
        Assert.Contains("Leitungen", busy.Descendants("Say").Single().Value);
        Assert.Single(busy.Descendants("Hangup"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));

        release.SetResult(new CallTurn(CallStep.Hangup, []));
        await holding;
        var taken = await Twiml(await Webhook(app.CreateClient(), "/telephony/twilio/voice",
            Inbound("CA" + new string('b', 32), "+49301111111", "AC" + new string('1', 32)), PlatformToken));
        Assert.Contains("Praxis Alpha", taken.Descendants("Say").First().Value);
    }

    [Fact]
    public async Task Unsigned_requests_in_parallel_never_make_a_correctly_signed_call_hear_the_busy_message()
    {
        const string platformSid = "AC" + "11111111111111111111111111111111";
        await using var app = new VoiceAgentFactory(Database)
        {
            // One set-up slot, and a forged request that got one would hold it: the order decides, not the timing.
            Settings = { ["Telephony:MaxConcurrentCallSetups"] = "1", ["Telephony:CallSetupWait"] = "00:00:01" },
        };
        var platform = await app.LoginAsAdminAsync();
        (await platform.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = PlatformToken })).EnsureSuccessStatusCode();
        (await platform.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = platformSid })).EnsureSuccessStatusCode();
        await TenantWithNumberAsync(app, "chef@a.de", "Praxis Alpha", "030 1111111");
        var twilio = app.CreateClient();
        var first = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('a', 32), "+49301111111", platformSid), PlatformToken));
        Assert.Contains("Praxis Alpha", first.Descendants("Say").First().Value);

        // Every lookup of a tenant's own Twilio account now waits, as on an overloaded database.
        await using var locker = new NpgsqlConnection(Database.OwnerConnectionString);
        await locker.OpenAsync();
        await using var lockTx = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE tenant_twilio_accounts IN ACCESS EXCLUSIVE MODE", locker, lockTx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        // 200 requests without a signature, and 100 with a made-up one claiming unknown accounts (these need the lookup).
        var unsigned = Enumerable.Range(0, 200).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice")
            {
                Content = new FormUrlEncodedContent(Inbound($"CA{i:x32}", "+49301111111", platformSid)),
            };
            return twilio.SendAsync(request);
        });
        var forged = Enumerable.Range(0, 100).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice")
            {
                Content = new FormUrlEncodedContent(Inbound($"CB{i:x32}", "+49301111111", $"AC{i:x32}")),
            };
            request.Headers.Add("X-Twilio-Signature", Convert.ToBase64String(new byte[20]));
            return twilio.SendAsync(request);
        });
        var flood = Task.WhenAll(unsigned.Concat(forged).ToList());

        // Wait until a forged request is stuck in the account lookup (with the old order, holding the only set-up slot).
        await Eventually.UntilAsync(async () => await LockWaitersAsync() > 0, "a request waiting in the account lookup");

        var signed = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('b', 32), "+49301111111", platformSid), PlatformToken));
        Assert.DoesNotContain("Leitungen", signed.ToString());
        Assert.Contains("Praxis Alpha", signed.Descendants("Say").First().Value);
        // The made-up accounts cost one lookup in total, not one each.
        Assert.Equal(1, await LockWaitersAsync());

        await lockTx.RollbackAsync();
        var refused = await flood;
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM calls"));

        // As superuser: other roles' wait events are hidden from the schema owner.
        async Task<long> LockWaitersAsync()
        {
            await using var connection = new NpgsqlConnection(Database.SuperConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                $"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = '{PostgresServer.Database}'", connection);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task An_overloaded_database_turns_a_new_call_away_politely_and_other_errors_still_surface()
    {
        var admission = App.Services.GetRequiredService<CallAdmission>();
        var busy = new CallTurn(CallStep.Refuse, ["busy"]);

        // Npgsql's "connection pool exhausted" and PostgreSQL's "too many clients", also when EF Core wraps them.
        var poolExhausted = await admission.RunAsync<CallTurn>("twilio",
            () => throw new Npgsql.NpgsqlException("The connection pool has been exhausted", new TimeoutException()), () => busy, CancellationToken.None);
        var wrapped = await admission.RunAsync<CallTurn>("twilio",
            () => throw new InvalidOperationException("EF", new Npgsql.PostgresException("too many clients", "FATAL", "FATAL", "53300")),
            () => busy, CancellationToken.None);
        // PostgreSQL restarting: connections refused, or cut by its shutdown.
        var refused = await admission.RunAsync<CallTurn>("twilio",
            () => throw new Npgsql.NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)), () => busy, CancellationToken.None);
        var shutdown = await admission.RunAsync<CallTurn>("twilio",
            () => throw new Npgsql.PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"), () => busy,
            CancellationToken.None);
        Assert.Same(busy, poolExhausted);
        Assert.Same(busy, wrapped);
        Assert.Same(busy, refused);
        Assert.Same(busy, shutdown);

        // A bug is not an overload: it must not be hidden behind the busy announcement.
        await Assert.ThrowsAsync<InvalidOperationException>(() => admission.RunAsync<CallTurn>("twilio",
            () => throw new InvalidOperationException("bug"), () => busy, CancellationToken.None));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => admission.RunAsync<CallTurn>("twilio",
            () => throw new Npgsql.PostgresException("unique violation", "ERROR", "ERROR", "23505"), () => busy, CancellationToken.None));
    }
}
