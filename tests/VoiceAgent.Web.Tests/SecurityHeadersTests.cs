using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Web.Tests;

/// <summary>Security headers from the app itself (issue #16): on every kind of response, with per-request nonces.</summary>
public class SecurityHeadersTests : IntegrationTest
{
    protected static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content) : "";

    protected static void AssertHardened(HttpResponseMessage response, string what)
    {
        var csp = Header(response, "Content-Security-Policy");
        Assert.True(csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal), $"{what}: CSP '{csp}'");
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("base-uri 'self'", csp);
        Assert.Contains("form-action 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("microphone=()", Header(response, "Permissions-Policy"));
        Assert.Equal("", Header(response, "Server"));
    }

    private static async Task<HttpResponseMessage> TooLargeAsync(HttpClient client)
    {
        var content = new ByteArrayContent(new byte[300 * 1024]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await client.PostAsync("/api/auth/login", content);
    }

    [Fact]
    public async Task Pages_apis_static_files_errors_and_webhook_answers_carry_the_headers()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertHardened(page, "page");
        AssertHardened(await client.GetAsync("/api/health"), "api");
        var css = await client.GetAsync("/css/site.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        AssertHardened(css, "static file");
        var missing = await client.GetAsync("/api/does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertHardened(missing, "404");
        var pageMissing = await client.GetAsync("/no-such-page");
        AssertHardened(pageMissing, "portal 404");
        var tooLarge = await TooLargeAsync(client);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        AssertHardened(tooLarge, "413");
        var twilio = await client.PostAsync("/telephony/twilio/voice", new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        Assert.Equal(HttpStatusCode.Forbidden, twilio.StatusCode);
        AssertHardened(twilio, "twilio webhook");
        var sipgate = await SipgateTests.PushAsync(client, SipgateTests.NewCall("sg-headers"), signature: "", forwardedFor: null);
        Assert.Equal(HttpStatusCode.Forbidden, sipgate.StatusCode);
        AssertHardened(sipgate, "sipgate push");

        HttpResponseMessage limited = default!;
        for (var i = 0; i <= Platform.Http.RateLimits.PermitsPerMinute; i++)
        {
            limited = await client.PostAsJsonAsync("/api/auth/login", new { email = "niemand@firma.de", password = "falsch-123456" });
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        AssertHardened(limited, "429");
    }

    [Fact]
    public async Task Every_script_of_a_page_carries_the_requests_nonce_and_the_nonce_changes_per_request()
    {
        var client = App.CreateClient();
        var first = await client.GetAsync("/login");
        var second = await client.GetAsync("/login");
        var nonce = Nonce(first);
        Assert.NotEqual(nonce, Nonce(second));
        Assert.Matches("^script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'$",
            Header(first, "Content-Security-Policy").Split("; ").Single(d => d.StartsWith("script-src", StringComparison.Ordinal)));

        var html = await first.Content.ReadAsStringAsync();
        var scripts = Regex.Matches(html, "<script[^>]*>").Select(m => System.Net.WebUtility.HtmlDecode(m.Value)).ToList(); // as the browser reads the attribute (base64 "+" is written as &#x2B;)
        Assert.Contains(scripts, s => s.Contains("importmap", StringComparison.Ordinal));
        Assert.Contains(scripts, s => s.Contains("blazor.web.js", StringComparison.Ordinal));
        Assert.All(scripts, s => Assert.Contains($"nonce=\"{nonce}\"", s));
    }

    [Fact]
    public async Task Only_the_designer_may_use_the_microphone_and_the_jobs_dashboard_has_its_own_policy()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var designer = await client.GetAsync($"/app/flows/{Guid.NewGuid()}/designer");
        Assert.Contains("microphone=(self)", Header(designer, "Permissions-Policy"));
        foreach (var path in new[] { "/app/flows", $"/app/flows/{Guid.NewGuid()}/sessions/{Guid.NewGuid()}/replay", "/app/setup", "/login" })
        {
            var response = await client.GetAsync(path);
            Assert.Contains("microphone=()", Header(response, "Permissions-Policy"));
            Assert.DoesNotContain("unsafe-inline", ScriptSrc(response));
        }

        var jobs = await client.GetAsync("/admin/jobs");
        Assert.Contains("'unsafe-inline'", ScriptSrc(jobs));
        AssertHardened(jobs, "jobs dashboard");
    }

    [Fact]
    public async Task Development_sends_no_hsts_and_cookies_are_http_only_and_same_site()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var page = await client.GetAsync("/login");
        Assert.Equal("", Header(page, "Strict-Transport-Security"));

        var cookies = await CookiesAsync(client);
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Matches("(?i)samesite=(lax|strict)", c));
        Assert.All(cookies, c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(cookies, c => c.StartsWith("voiceagent.theme=", StringComparison.Ordinal));
        Assert.False(App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
        // The sign-in cookie goes through the same cookie policy; its own settings are HttpOnly and Lax (the OAuth
        // callback from Google/Microsoft is a top-level GET, which still carries a Lax cookie).
        var auth = App.Services.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme).Cookie;
        Assert.True(auth.HttpOnly);
        Assert.Equal(Microsoft.AspNetCore.Http.SameSiteMode.Lax, auth.SameSite);
    }

    internal static async Task<List<string>> CookiesAsync(HttpClient client)
    {
        var cookies = new List<string>();
        foreach (var path in new[] { "/login", "/culture/en?returnUrl=/login", "/theme/dark?returnUrl=/login" })
        {
            var response = await client.GetAsync(path);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                cookies.AddRange(set);
            }
        }

        return cookies;
    }

    protected static string ScriptSrc(HttpResponseMessage response) =>
        Header(response, "Content-Security-Policy").Split("; ").Single(d => d.StartsWith("script-src", StringComparison.Ordinal));

    private static string Nonce(HttpResponseMessage response) =>
        Regex.Match(Header(response, "Content-Security-Policy"), "'nonce-([^']+)'").Groups[1].Value;
}

public sealed class ProductionSecurityHeadersTests : IntegrationTest
{
    protected override string Environment => "Production";

    [Fact]
    public async Task Production_sends_hsts_and_marks_every_cookie_secure()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var path in new[] { "/login", "/api/health", "/css/site.css", "/api/does-not-exist" })
        {
            Assert.Equal("max-age=31536000", (await client.GetAsync(path)).Headers.TryGetValues("Strict-Transport-Security", out var v) ? v.Single() : "");
        }

        var cookies = await SecurityHeadersTests.CookiesAsync(client);
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
        Assert.All(cookies, c => Assert.Matches("(?i)samesite=(lax|strict)", c));
    }
}

/// <summary>
/// X-Forwarded-For/-Proto count only from configured proxies. The TestServer has no peer; <see cref="PeerFromTestHeader"/>
/// sets it from X-Test-Peer (default 127.0.0.1), as a socket would.
/// </summary>
public sealed class ForwardedHeadersTests : IntegrationTest
{
    private const string TwilioToken = "0123456789abcdef0123456789abcdef";

    private WebApplicationFactory<Program> Host(params string[] knownProxies) => App.WithWebHostBuilder(b =>
    {
        b.UseSetting("Sipgate:Push:PublicKeyPem", SipgateTests.SigningKey.ExportSubjectPublicKeyInfoPem());
        for (var i = 0; i < knownProxies.Length; i++)
        {
            b.UseSetting($"ForwardedHeaders:KnownProxies:{i}", knownProxies[i]);
        }

        b.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerFromTestHeader>());
    });

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string? forwardedFor, string? peer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = "niemand@firma.de", password = "falsch-123456" }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (peer is not null)
        {
            request.Headers.Add(PeerFromTestHeader.HeaderName, peer);
        }

        return await client.SendAsync(request);
    }

    private static async Task<List<HttpStatusCode>> FloodAsync(HttpClient client, Func<int, string?> forwardedFor, string? peer = null)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Platform.Http.RateLimits.PermitsPerMinute; i++)
        {
            statuses.Add((await LoginAsync(client, forwardedFor(i), peer)).StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task Without_configured_proxies_a_spoofed_forwarded_for_is_ignored_even_from_loopback()
    {
        var client = Host().CreateClient();

        // A different X-Forwarded-For on every attempt does not make a new client: the limit sees the peer.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FloodAsync(client, i => $"198.51.100.{i + 1}")).Last());

        // Nor does naming sipgate's address make a push from elsewhere sipgate's.
        var push = await SipgateTests.PushAsync(client, SipgateTests.NewCall("sg-spoofed"), forwardedFor: "217.116.118.254");
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
    }

    [Fact]
    public async Task From_a_configured_proxy_the_forwarded_client_is_used_and_from_any_other_peer_it_is_not()
    {
        var client = Host("127.0.0.1").CreateClient();

        // Behind the proxy each forwarded client has its own budget; the same forwarded client runs out.
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, await FloodAsync(client, i => $"198.51.100.{i + 1}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FloodAsync(client, _ => "198.51.100.200")).Last());
        // What the client wrote left of the proxy's entry does not count: the proxy saw 198.51.100.200.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(client, "203.0.113.99, 198.51.100.200")).StatusCode);
        // A peer that is not a configured proxy: its header is ignored, it is limited as itself.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await FloodAsync(client, i => $"192.0.2.{i + 1}", peer: "203.0.113.50")).Last());

        // sipgate behind our proxy is sipgate; the same header from another peer is not.
        var body = SipgateTests.NewCall("sg-proxied");
        Assert.Equal(HttpStatusCode.OK, (await SipgateTests.PushAsync(client, body, forwardedFor: "217.116.118.254")).StatusCode);
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/telephony/sipgate/push") { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        foreign.Headers.Add("X-Sipgate-Signature", SipgateTests.Sign(body));
        foreign.Headers.Add("X-Forwarded-For", "217.116.118.254");
        foreign.Headers.Add(PeerFromTestHeader.HeaderName, "203.0.113.50");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreign)).StatusCode);
    }

    [Fact]
    public async Task Twilio_signatures_over_the_https_url_validate_behind_a_configured_proxy_only()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = TwilioToken })).EnsureSuccessStatusCode();
        var form = new Dictionary<string, string>
        {
            ["CallSid"] = "CA" + new string('c', 32), ["AccountSid"] = "AC" + new string('1', 32), ["From"] = "+491701234567",
            ["To"] = "+49309999999", ["CallStatus"] = "ringing", ["Direction"] = "inbound", ["ApiVersion"] = "2010-04-01",
        };

        HttpRequestMessage Proxied(string? peer)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("X-Twilio-Signature",
                VoiceAgent.Telephony.Twilio.TwilioSignature.Compute(TwilioToken, "https://localhost/telephony/twilio/voice", form));
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "54.172.60.1");
            if (peer is not null)
            {
                request.Headers.Add(PeerFromTestHeader.HeaderName, peer);
            }

            return request;
        }

        var client = Host("127.0.0.1").CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Proxied(null))).StatusCode);
        // From a peer that is not our proxy the forwarded scheme is ignored: the URL is http://…, the signature fails.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Proxied("203.0.113.50"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Host().CreateClient().SendAsync(Proxied(null))).StatusCode);
    }

    /// <summary>Sets the connection's peer address as a socket would: X-Test-Peer, else 127.0.0.1 (a local proxy).</summary>
    internal sealed class PeerFromTestHeader : IStartupFilter
    {
        public const string HeaderName = "X-Test-Peer";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                var peer = context.Request.Headers[HeaderName].ToString();
                context.Connection.RemoteIpAddress = peer.Length > 0 ? IPAddress.Parse(peer) : IPAddress.Loopback;
                context.Request.Headers.Remove(HeaderName);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
