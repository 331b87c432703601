using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using VoiceAgent.Testing;
using static VoiceAgent.Testing.Cluster.ClusterApi;

namespace VoiceAgent.Drills;

/// <summary>
/// Issue #18: what one instance issues, every other accepts — bearer tokens, the portal cookie and antiforgery tokens,
/// OAuth states (once). Media stream tokens: <see cref="FailoverDrills"/> (issued by instance 1, the stream opened on
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
