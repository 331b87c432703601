using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using VoiceAgent.Testing;
using static VoiceAgent.Testing.Cluster.ClusterApi;

namespace VoiceAgent.Drills;

/// <summary>
/// Issue #18: what one instance issues, every other accepts — bearer tokens, the portal cookie and antiforgery tokens,
/// OAuth states (once), sipgate prompt ids. Media stream tokens: <see cref="FailoverDrills"/> (issued by instance 1, the stream opened on
/// instance 2). All of them are Data Protection payloads or rows in PostgreSQL: one key ring, one database.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class HandoverDrills(LocalCluster cluster)
{
    [Fact]
    public async Task A_token_issued_by_one_instance_is_accepted_by_every_other()
    {
        var token = await LocalCluster.LoginAsAdminAsync(1);
        for (var i = 1; i <= cluster.Instances; i++)
        {
            using var client = Client(i, token);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/tenants")).StatusCode);
        }
    }

    [Fact]
    public async Task The_portal_cookie_and_antiforgery_tokens_from_one_instance_are_valid_on_the_others()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        var (email, _) = await TenantAsync(admin, new { provider = "Offline" });
        // One browser (cookies are per host, not per port): the sticky session is gone, every request may land elsewhere.
        var jar = new CookieContainer();
        HttpClient Browser(int i) => new(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false })
        {
            BaseAddress = Instance(i), Timeout = TimeSpan.FromSeconds(30),
        };
        using var one = Browser(1);
        using var two = Browser(2);
        using var three = Browser(3);

        // The sign-in form (and its antiforgery token) served by instance 1, posted to instance 2.
        var token = TokenPattern().Match(await one.GetStringAsync("/login"));
        Assert.True(token.Success, "no antiforgery token on /login");
        var signIn = await two.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = email, ["Input.Password"] = TestData.Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("/login", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // The cookie instance 2 issued opens the portal and the API on the others.
        Assert.Equal(HttpStatusCode.OK, (await three.GetAsync("/app")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await one.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await three.GetAsync("/api/tenant/numbers")).StatusCode);
    }

    [Fact]
    public async Task An_OAuth_state_issued_by_one_instance_is_accepted_once_by_another()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        using (var settings = Client(1, admin))
        {
            (await settings.PutAsJsonAsync("/api/admin/settings/google.client_id", new { value = "drill-client.apps.googleusercontent.com" })).EnsureSuccessStatusCode();
            (await settings.PutAsJsonAsync("/api/admin/settings/google.client_secret", new { value = "drill-secret-" + new string('s', 24) })).EnsureSuccessStatusCode();
        }

        var (_, tenant) = await TenantAsync(admin, new { provider = "Offline" });
        using var one = Client(1, tenant, redirects: false);
        var start = await one.GetAsync("/api/tenant/connectors/google/authorize");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var state = QueryHelpers.ParseQuery(start.Headers.Location!.Query)["state"].ToString();
        Assert.NotEmpty(state);

        // Google sends the browser back to another instance: the state is valid there (here the user declined, so
        // nothing needs redeeming at Google) …
        using var two = Client(2, tenant, redirects: false);
        var back = await two.GetAsync($"/oauth/callback/google?state={Uri.EscapeDataString(state)}&error=access_denied");
        Assert.Equal(HttpStatusCode.BadRequest, back.StatusCode);
        Assert.Contains("nicht erlaubt", await TitleAsync(back), StringComparison.Ordinal);
        // … and used: replayed on a third instance it is refused.
        using var three = Client(3, tenant, redirects: false);
        var replay = await three.GetAsync($"/oauth/callback/google?state={Uri.EscapeDataString(state)}&error=access_denied");
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("schon verwendet", await TitleAsync(replay), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sipgate_prompt_issued_by_one_instance_is_played_by_another()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        var (_, tenant) = await TenantAsync(admin, new { provider = "Offline" });
        var number = (await NumberAsync(tenant, provider: "sipgate")).TrimStart('+');
        var callId = "drill-" + Guid.NewGuid().ToString("N");

        // sipgate pushes the new call to instance 1; the answer names the prompt to play by URL …
        using var pushed = await SipgatePushAsync(1,
            $"event=newCall&from=491701234567&to={number}&direction=in&callId={callId}&user%5B%5D=Alice&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0");
        var body = await pushed.Content.ReadAsStringAsync();
        Assert.True(pushed.IsSuccessStatusCode, $"newCall on instance 1: {(int)pushed.StatusCode} {body}");
        var url = new Uri(XDocument.Parse(body).Descendants("Url").First().Value);
        Assert.Contains("/telephony/prompts/", url.AbsolutePath, StringComparison.Ordinal);

        // … and fetches it from whichever instance the balancer picks: instance 2 speaks it.
        using var two = Client(2);
        var audio = await two.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
        Assert.Equal("RIFF", Encoding.ASCII.GetString((await audio.Content.ReadAsByteArrayAsync())[..4]));

        using var hangup = await SipgatePushAsync(3, $"event=hangup&cause=normalClearing&callId={callId}&from=491701234567&to={number}&direction=in");
        Assert.True(hangup.IsSuccessStatusCode, $"hangup on instance 3: {(int)hangup.StatusCode}");
    }

    /// <summary>A push as sipgate sends it through the proxy: signed with the drills' key (drill.sh gave the instances its
    /// public half), from sipgate's address as the trusted proxy on the loopback names it.</summary>
    private static async Task<HttpResponseMessage> SipgatePushAsync(int instance, string form)
    {
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_SIPGATE_KEY")
            ?? throw new InvalidOperationException("VOICEAGENT_DRILL_SIPGATE_KEY is not set (run the drills with deploy/local/drill.sh).")));
        var bytes = Encoding.UTF8.GetBytes(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/sipgate/push") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Sipgate-Signature", Convert.ToBase64String(key.SignData(bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        request.Headers.Add("X-Forwarded-For", "217.116.118.254");
        using var client = Client(instance);
        return await client.SendAsync(request);
    }

    private static async Task<string> TitleAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(body).RootElement.GetProperty("title").GetString() ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
