using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// sipgate.io push calls: signed form pushes in, sipgate XML out, DTMF menus, forwarding and metering. The pushes are
/// signed with a key pair made here (the public key is configuration) and arrive, as in production, through our own
/// proxy (127.0.0.1) that names sipgate's address in X-Forwarded-For.
/// </summary>
public sealed partial class SipgateTests : IntegrationTest
{
    private const string PushPath = "/telephony/sipgate/push";
    private const string PushUrl = "http://localhost" + PushPath;
    private const string SipgateAddress = "217.116.118.254";
    private const string OurNumber = "49301111111";
    private const string Target = "4930555555";

    internal static readonly RSA SigningKey = RSA.Create(2048);

    private WebApplicationFactory<Program> Sipgate(TimeProvider? time = null, int? setupSlots = null, FakeGoogleCloudServer? google = null) =>
        App.WithWebHostBuilder(b =>
    {
        if (google is not null)
        {
            b.UseSetting("GoogleCloud:SpeechBaseUrl", google.BaseUrl.AbsoluteUri);
            b.UseSetting("GoogleCloud:TextToSpeechBaseUrl", google.BaseUrl.AbsoluteUri);
        }

        if (setupSlots is { } slots)
        {
            b.UseSetting("Telephony:MaxConcurrentCallSetups", slots.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Telephony:CallSetupWait", "00:00:00.050");
        }

        b.UseSetting("Sipgate:Push:PublicKeyPem", SigningKey.ExportSubjectPublicKeyInfoPem());
        b.UseSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        b.ConfigureServices(s =>
        {
            s.AddSingleton<IStartupFilter, BehindLocalProxy>();
            if (time is not null)
            {
                s.AddSingleton(time);
            }
        });
    });

    internal static string Sign(string body, RSA? key = null) =>
        Convert.ToBase64String((key ?? SigningKey).SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    internal static async Task<HttpResponseMessage> PushAsync(HttpClient client, string body, string? signature = null, string? forwardedFor = SipgateAddress)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, PushPath) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Sipgate-Signature", signature ?? Sign(body));
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await client.SendAsync(request);
    }

    internal static string NewCall(string callId, string to = OurNumber, string direction = "in") =>
        $"event=newCall&from=491701234567&to={to}&direction={direction}&callId={callId}&user%5B%5D=Alice&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0";

    private static string Dtmf(string callId, string digits) => $"event=dtmf&dtmf={digits}&callId={callId}";

    private static string Answer(string callId, string answeringNumber) =>
        $"event=answer&callId={callId}&user=Alice&userId=w0&fullUserId=1234567w0&from=491701234567&to={OurNumber}&direction=in&answeringNumber={answeringNumber}";

    private static string Hangup(string callId, string answeringNumber = OurNumber) =>
        $"event=hangup&cause=normalClearing&callId={callId}&from=491701234567&to={OurNumber}&direction=in&answeringNumber={answeringNumber}";

    private static async Task<XElement> Xml(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("Response", root.Name.LocalName);
        return root;
    }

    /// <summary>The one action of a call response, which always asks for the answer and hangup pushes.</summary>
    private static async Task<XElement> Action(HttpResponseMessage response)
    {
        var root = await Xml(response);
        Assert.Equal(PushUrl, root.Attribute("onAnswer")?.Value);
        Assert.Equal(PushUrl, root.Attribute("onHangup")?.Value);
        return Assert.Single(root.Elements());
    }

    /// <summary>An announcement played inside a short Gather whose dtmf push brings the next action.</summary>
    private static string AnnouncementUrl(XElement action)
    {
        Assert.Equal("Gather", action.Name.LocalName);
        Assert.Equal(PushUrl, action.Attribute("onData")?.Value);
        Assert.Equal("1", action.Attribute("maxDigits")?.Value);
        return action.Element("Play")!.Element("Url")!.Value;
    }

    private async Task<HttpClient> TenantAsync(string company, string number, Guid? flowId = null, string provider = "sipgate")
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync($"chef@{company.ToLowerInvariant().Replace(' ', '-')}.de", company);
        var flow = flowId ?? await App.SeedSampleFlowAsync(tenantId);
        var bound = await admin.PostAsJsonAsync("/api/tenant/numbers", new { number, flowId = flow, provider });
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        return admin;
    }

    /// <summary>"Press 1 for sales": key 1 transfers to the allow-listed 030 555555, anything else says goodbye.</summary>
    private async Task MenuTenantAsync()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@menue.de", "Praxis Menü");
        var flow = JsonSerializer.Deserialize<JsonElement>("""
            { "name": "Menü", "nodes": [
                { "id": "start", "type": "Start" },
                { "id": "menu", "type": "Speak", "inputs": { "text": "Für den Vertrieb drücken Sie die 1." } },
                { "id": "key", "type": "Listen", "inputs": { "expectation": "digits", "timeoutSeconds": 5 } },
                { "id": "isSales", "type": "Decision", "inputs": { "condition": "digits == \"1\"" } },
                { "id": "sales", "type": "Transfer", "inputs": { "target": "+4930555555" } },
                { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Auf Wiederhören." } },
                { "id": "done", "type": "Hangup" } ],
              "connections": [
                { "from": "start", "outcome": "Done", "to": "menu" },
                { "from": "menu", "outcome": "Done", "to": "key" },
                { "from": "key", "outcome": "Recognized", "to": "isSales" },
                { "from": "key", "outcome": "NoInput", "to": "bye" }, { "from": "key", "outcome": "NoMatch", "to": "bye" },
                { "from": "isSales", "outcome": "True", "to": "sales" }, { "from": "isSales", "outcome": "False", "to": "bye" },
                { "from": "sales", "outcome": "Connected", "to": "done" }, { "from": "sales", "outcome": "NoAnswer", "to": "bye" },
                { "from": "sales", "outcome": "Busy", "to": "bye" }, { "from": "sales", "outcome": "Failed", "to": "bye" } ] }
            """);
        var flowId = (await Json(await admin.PostAsJsonAsync("/api/flows", new { name = "Menü", definition = flow }))).GetProperty("id").GetGuid();
        var published = await admin.PostAsync($"/api/flows/{flowId}/versions/1/publish", null);
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        (await admin.PutAsJsonAsync("/api/tenant/call-settings", new { transferTargets = new[] { "030 555555" } })).EnsureSuccessStatusCode();
        var bound = await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", flowId, provider = "sipgate" });
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
    }

    [Fact]
    public async Task New_call_routes_to_the_tenant_of_the_number_and_gathers_over_a_playable_8khz_prompt()
    {
        await TenantAsync("Praxis Alpha", "030 1111111");
        await TenantAsync("Salon Beta", "040 2222222");
        var sipgate = Sipgate().CreateClient();

        var gather = await Action(await PushAsync(sipgate, NewCall("sg-alpha")));

        Assert.Equal("Gather", gather.Name.LocalName);
        Assert.Equal(PushUrl, gather.Attribute("onData")?.Value);
        Assert.True(int.Parse(gather.Attribute("timeout")!.Value, System.Globalization.CultureInfo.InvariantCulture) >= 1000);
        var url = new Uri(gather.Element("Play")!.Element("Url")!.Value);
        Assert.StartsWith("http://localhost/telephony/prompts/", url.AbsoluteUri);
        Assert.EndsWith(".wav", url.AbsolutePath);

        var audio = await sipgate.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
        var wav = await audio.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(wav, 8, 4));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(20))); // PCM
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(22))); // mono
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(wav.AsSpan(34)));
        Assert.True(wav.Length > 44 + 16000, "the greeting lasts more than a second");

        // The id is the protected text: altered or made up, it is nothing.
        var id = url.Segments[^1][..^".wav".Length];
        var altered = id[..20] + (id[20] == 'A' ? 'B' : 'A') + id[21..];
        Assert.Equal(HttpStatusCode.NotFound, (await sipgate.GetAsync($"/telephony/prompts/{altered}.wav")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sipgate.GetAsync("/telephony/prompts/Hallo.wav")).StatusCode);

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(1, await CountAsync("""
            SELECT count(*) FROM calls c JOIN tenants t ON t.id = c.tenant_id
            WHERE t.company_name = 'Praxis Alpha' AND c.provider = 'sipgate' AND c.provider_call_id = 'sg-alpha' AND c.mode = 'sipgate'
              AND c.to_number = '+49301111111' AND c.from_number = '+491701234567'
            """));
    }

    [Fact]
    public async Task Prompts_are_spoken_by_the_engine_and_voice_the_tenant_chose()
    {
        await using var google = await FakeGoogleCloudServer.StartAsync();
        var superAdmin = await App.LoginAsAdminAsync();
        (await superAdmin.PutAsJsonAsync("/api/admin/settings/googlecloud.service_account", new { value = google.ServiceAccountJson() }))
            .EnsureSuccessStatusCode();
        var admin = await TenantAsync("Praxis Alpha", "030 1111111");
        (await admin.PutAsJsonAsync("/api/tenant/speech", new { provider = "Google", voice = "de-DE-Wavenet-A" })).EnsureSuccessStatusCode();
        var sipgate = Sipgate(google: google).CreateClient();

        var gather = await Action(await PushAsync(sipgate, NewCall("sg-alpha")));
        var wav = await (await sipgate.GetAsync(new Uri(gather.Element("Play")!.Element("Url")!.Value).PathAndQuery)).Content.ReadAsByteArrayAsync();

        // Synthesized once when the push was answered; the fetch is served from the cache.
        var spoken = Assert.Single(google.Syntheses);
        Assert.Equal("de-DE-Wavenet-A", spoken.VoiceName);
        Assert.Contains("Praxis Alpha", spoken.Text);
        Assert.Equal(44 + spoken.Text!.Length * 400 * 2, wav.Length); // 8 kHz PCM16 of all the fake's samples
    }

    [Fact]
    public async Task Dtmf_menu_dials_the_allow_listed_target_on_key_1_and_hangs_up_after_the_goodbye_otherwise()
    {
        await MenuTenantAsync();
        var sipgate = Sipgate().CreateClient();

        var menu = await Action(await PushAsync(sipgate, NewCall("sg-sales")));
        Assert.Equal("Gather", menu.Name.LocalName);
        Assert.Equal("1", menu.Attribute("maxDigits")?.Value);
        Assert.Equal("5000", menu.Attribute("timeout")?.Value);
        Assert.NotNull(menu.Element("Play"));

        // Key 1: the transfer announcement is played first (one action per response) …
        var announcement = await Action(await PushAsync(sipgate, Dtmf("sg-sales", "1")));
        Assert.Equal(HttpStatusCode.OK, (await sipgate.GetAsync(new Uri(AnnouncementUrl(announcement)).PathAndQuery)).StatusCode);
        // … and the dtmf push that ends it (timeout: empty digits) brings the Dial.
        var dial = await Action(await PushAsync(sipgate, Dtmf("sg-sales", "")));
        Assert.Equal("Dial", dial.Name.LocalName);
        Assert.Equal([Target], dial.Elements("Number").Select(n => n.Value));
        // A repeated push changes nothing: the transfer is still what the call is waiting for.
        Assert.Equal("Dial", (await Action(await PushAsync(sipgate, NewCall("sg-sales")))).Name.LocalName);

        Assert.Equal("Gather", (await Action(await PushAsync(sipgate, NewCall("sg-other")))).Name.LocalName);
        var goodbye = await Action(await PushAsync(sipgate, Dtmf("sg-other", "2")));
        AnnouncementUrl(goodbye);
        var hangup = await Action(await PushAsync(sipgate, Dtmf("sg-other", "")));
        Assert.Equal("Hangup", hangup.Name.LocalName);

        Assert.Equal(2, await CountAsync("SELECT count(*) FROM calls WHERE provider = 'sipgate'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE provider_call_id = 'sg-sales' AND dial_target = '+4930555555'"));
    }

    [Fact]
    public async Task Hangup_meters_the_call_once_even_when_the_push_repeats()
    {
        await TenantAsync("Praxis Alpha", "030 1111111");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow); // starts at the real time: the tenant was created at it
        var sipgate = Sipgate(clock).CreateClient();
        await Action(await PushAsync(sipgate, NewCall("sg-hangup")));

        clock.Advance(TimeSpan.FromSeconds(42));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(sipgate, Hangup("sg-hangup"))).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(sipgate, Hangup("sg-hangup"))).StatusCode);

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records"));
        Assert.Equal(42, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot' AND provider = 'sipgate' AND provider_ref = 'sg-hangup'"));
        Assert.Equal(42, await CountAsync("SELECT duration_seconds FROM calls WHERE status = 'completed' AND ended_at IS NOT NULL"));
    }

    [Fact]
    public async Task Answered_forward_leg_is_metered_from_its_answer_and_bot_seconds_are_the_rest()
    {
        await MenuTenantAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow); // starts at the real time: the tenant was created at it
        var sipgate = Sipgate(clock).CreateClient();
        await Action(await PushAsync(sipgate, NewCall("sg-forward")));

        // sipgate answering the call itself is not a forward leg.
        await PushAsync(sipgate, Answer("sg-forward", OurNumber));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM usage_records"));

        await PushAsync(sipgate, Dtmf("sg-forward", "1"));
        Assert.Equal("Dial", (await Action(await PushAsync(sipgate, Dtmf("sg-forward", "")))).Name.LocalName);
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(sipgate, Answer("sg-forward", Target))).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(5));
        await PushAsync(sipgate, Answer("sg-forward", Target)); // a repeat keeps the first answer time
        clock.Advance(TimeSpan.FromSeconds(25));
        await PushAsync(sipgate, Hangup("sg-forward", Target));
        clock.Advance(TimeSpan.FromSeconds(10));
        await PushAsync(sipgate, Hangup("sg-forward", Target));

        Assert.Equal(2, await CountAsync("SELECT count(*) FROM usage_records"));
        Assert.Equal(30, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'forward' AND provider_ref = 'sg-forward:forward'"));
        Assert.Equal(20, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
        Assert.Equal(50, await CountAsync("SELECT duration_seconds FROM calls"));
        Assert.Equal(50, await CountAsync("SELECT sum(seconds) FROM usage_records"));
        // The transfer learnt its result from the answered leg: the flow went on along "Connected".
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE outcome = 'done' AND status = 'completed'"));
    }

    [Fact]
    public async Task Forged_altered_unsigned_or_foreign_source_pushes_are_403_and_store_nothing()
    {
        await TenantAsync("Praxis Alpha", "030 1111111");
        var sipgate = Sipgate().CreateClient();
        var body = NewCall("sg-forged");
        using var otherKey = RSA.Create(2048);

        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body, Sign(body, otherKey))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body.Replace("from=491701234567", "from=491709999999"), Sign(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body, signature: "")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body, forwardedFor: "203.0.113.7")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body, forwardedFor: null)).StatusCode);
        // The left of X-Forwarded-For is whatever the sender wrote; only what our proxy appended counts.
        Assert.Equal(HttpStatusCode.Forbidden, (await PushAsync(sipgate, body, forwardedFor: $"{SipgateAddress}, 203.0.113.7")).StatusCode);
        var oversized = body + "&padding=" + new string('x', 70 * 1024);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PushAsync(sipgate, oversized)).StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flow_sessions"));

        // The same push, signed and from sipgate, is taken: the refusals above were about the push, not the set-up.
        Assert.Equal("Gather", (await Action(await PushAsync(sipgate, body))).Name.LocalName);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));
    }

    [Fact]
    public async Task Refused_pushes_are_refused_before_the_admission_gate_and_take_no_set_up_slot()
    {
        await TenantAsync("Praxis Alpha", "030 1111111");
        var app = Sipgate(setupSlots: 1);
        var sipgate = app.CreateClient();
        var body = NewCall("sg-slot");
        using var otherKey = RSA.Create(2048);

        // Hold the only set-up slot, as a slow call set-up would.
        var admission = app.Services.GetRequiredService<VoiceAgent.Telephony.CallAdmission>();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = admission.RunAsync("sipgate", () => release.Task, () => throw new InvalidOperationException(), CancellationToken.None);

        // Forged or foreign pushes never reach the gate: 403, not the busy announcement.
        var refused = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => i % 2 == 0
            ? PushAsync(sipgate, body, Sign(body, otherKey))
            : PushAsync(sipgate, body, forwardedFor: "203.0.113.7")));
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));

        // A genuine push does reach it, and hears that all lines are busy while the slot is held.
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(sipgate, body)).StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));

        release.SetResult(0);
        await holding;
        Assert.Equal("Gather", (await Action(await PushAsync(sipgate, NewCall("sg-slot-2")))).Name.LocalName);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));
    }

    [Fact]
    public async Task Unknown_twilio_bound_or_outgoing_numbers_get_an_announcement_or_nothing_and_no_call()
    {
        await TenantAsync("Praxis Alpha", "030 1111111");
        await TenantAsync("Salon Beta", "040 2222222", provider: "twilio");
        var sipgate = Sipgate().CreateClient();

        var unknown = await Action(await PushAsync(sipgate, NewCall("sg-unknown", to: "49309999999")));
        var notice = await sipgate.GetAsync(new Uri(AnnouncementUrl(unknown)).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, notice.StatusCode);
        Assert.Equal("Hangup", (await Action(await PushAsync(sipgate, Dtmf("sg-unknown", "")))).Name.LocalName);

        AnnouncementUrl(await Action(await PushAsync(sipgate, NewCall("sg-twilio", to: "49402222222"))));

        // The account's own outgoing calls are left to sipgate: an empty response, no pushes asked for.
        var outgoing = await Xml(await PushAsync(sipgate, NewCall("sg-out", direction: "out")));
        Assert.Empty(outgoing.Elements());
        Assert.Null(outgoing.Attribute("onHangup"));

        await PushAsync(sipgate, Hangup("sg-unknown"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM usage_records"));
    }

    /// <summary>The TestServer has no peer address; here every request arrives from our proxy at 127.0.0.1 (also used by
    /// <see cref="NumberSetupTests"/>).</summary>
    internal sealed class BehindLocalProxy : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
