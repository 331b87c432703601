using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// The edge proxy (deploy/proxy: nginx, ModSecurity v3, OWASP CRS 3.3 in blocking mode) in front of the real app.
/// Every test class here runs through it even when the browser suite does not.
/// </summary>
public abstract class WafTest : PortalTest
{
    private readonly int proxyPort = LoopbackProcess.FreePort();

    protected override bool RequiresProxy => true;

    protected override bool WafRefusalsAreProblems => this is WafBlazorTests;

    protected override int? ProxyPort => proxyPort;

    protected NginxProxy Waf => Proxy ?? throw new InvalidOperationException("The proxy is not running.");

    /// <summary>The request's id as the proxy answered it (X-Request-Id = ModSecurity's unique_id).</summary>
    protected static string RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Request-Id", out var values) ? values.Single() : throw new InvalidOperationException("No X-Request-Id.");

    /// <summary>The proxy let the request through: not refused, and no ModSecurity audit entry with a matched rule.</summary>
    protected void AssertPassed(HttpResponseMessage response, string what)
    {
        var id = RequestId(response);
        var entry = Waf.AuditEntry(id);
        var rules = entry is { } e ? NginxProxy.RuleIds(e) : [];
        Assert.True(rules.Count == 0 && response.StatusCode != HttpStatusCode.Forbidden,
            $"{what}: {(int)response.StatusCode}, rules {string.Join(", ", rules)}");
    }
}

/// <summary>A corpus of attacks (Waf/attack-corpus.json): every one is refused with 403 by the proxy and audit-logged.</summary>
public sealed class WafAttackCorpusTests : WafTest
{
    private sealed record Attack(string Id, string Category, string Name, string Method, string Target, string[]? Headers,
        string? Body, string? ContentType);

    [Fact]
    public async Task Every_attack_in_the_corpus_is_refused_with_403_and_audit_logged()
    {
        var corpus = JsonSerializer.Deserialize<List<Attack>>(
            await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Waf", "attack-corpus.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        Assert.True(corpus.Count >= 150, $"{corpus.Count} attacks");
        Assert.Equal(corpus.Count, corpus.Select(a => a.Id).Distinct().Count());

        var answers = new List<(Attack Attack, int Status, string? RequestId)>();
        foreach (var attack in corpus)
        {
            var (status, requestId) = await SendRawAsync(attack);
            answers.Add((attack, status, requestId));
        }

        var notRefused = answers.Where(a => a.Status != 403).Select(a => $"{a.Attack.Id} {a.Attack.Name}: {a.Status}").ToList();
        Assert.True(notRefused.Count == 0, "Not refused:\n" + string.Join("\n", notRefused));

        // ModSecurity writes an entry when the transaction ends, just after the answer.
        await Eventually.UntilAsync(() => answers.All(a => a.RequestId is { } id && Waf.AuditEntry(id) is not null), "every attack audit-logged");
        var problems = new List<string>();
        foreach (var (attack, _, requestId) in answers)
        {
            var entry = Waf.AuditEntry(requestId!)!.Value;
            var request = entry.GetProperty("request");
            if (request.GetProperty("uri").GetString() != attack.Target || request.GetProperty("method").GetString() != attack.Method)
            {
                problems.Add($"{attack.Id}: logged {request}");
            }

            if (NginxProxy.RuleIds(entry).Count == 0)
            {
                problems.Add($"{attack.Id}: no rule in the audit entry");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // The ids are ModSecurity's transaction ids, not the request ids the app saw: nothing reached the app.
        Assert.Equal(corpus.Count, answers.Select(a => a.RequestId).Distinct().Count());
    }

    /// <summary>Sends the attack exactly as written (no client library normalises it) over TLS; one connection each.</summary>
    private async Task<(int Status, string? RequestId)> SendRawAsync(Attack attack)
    {
        var head = new StringBuilder();
        head.Append($"{attack.Method} {attack.Target} HTTP/1.1\r\nHost: localhost:{Waf.Port}\r\n");
        var headers = attack.Headers ?? [];
        if (!headers.Any(h => h.StartsWith("User-Agent:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append("User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n");
        }

        head.Append("Accept: */*\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        var body = attack.Body is null ? [] : Encoding.UTF8.GetBytes(attack.Body);
        if (attack.Body is not null)
        {
            head.Append($"Content-Type: {attack.ContentType}\r\nContent-Length: {body.Length}\r\n");
        }

        head.Append("Connection: close\r\n\r\n");

        var (status, responseHead) = await Waf.SendRawAsync([.. Encoding.UTF8.GetBytes(head.ToString()), .. body]);
        var requestId = responseHead.Split("\r\n").Skip(1).Where(l => l.StartsWith("X-Request-Id:", StringComparison.OrdinalIgnoreCase))
            .Select(l => l["X-Request-Id:".Length..].Trim()).FirstOrDefault();
        return (status, requestId);
    }
}

/// <summary>
/// The portal's and the providers' own traffic passes the WAF: the requests most likely to look like attacks (flow JSON
/// with markup and template braces, signed webhooks, audio, registration with umlauts and quotes).
/// </summary>
public sealed class WafLegitimateTrafficTests : WafTest
{
    private const string TwilioAuthToken = "0123456789abcdef0123456789abcdef";
    private static readonly System.Security.Cryptography.RSA SipgateKey = System.Security.Cryptography.RSA.Create(2048);

    protected override Task<Dictionary<string, string?>> AppSettingsAsync() => Task.FromResult(new Dictionary<string, string?>
    {
        // Twilio signs the public URL: the proxy's.
        ["Telephony:PublicBaseUrl"] = $"https://localhost:{ProxyPort}",
        ["Sipgate:Push:PublicKeyPem"] = SipgateKey.ExportSubjectPublicKeyInfoPem(),
        // The push arrives from the proxy on the loopback here (in production: from sipgate's address, named by the proxy).
        ["Sipgate:Push:AllowedSourceAddresses:0"] = "127.0.0.1",
    });

    private async Task<HttpClient> LoginAsync(string email, string password)
    {
        var client = Waf.Client();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = Factory.CurrentCode(email) });
        AssertPassed(response, "login");
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Registration (umlauts, quotes in the address), approval through the admin API (paranoia level 2), sign-in.</summary>
    private async Task<(Guid TenantId, HttpClient Client)> TenantAsync(string email)
    {
        using var anonymous = Waf.Client();
        var registration = TestData.Registration(email, "Bäckerei Müller & Söhne „Zum Anger“ GmbH")
            .With("contactPerson", "Jürgen O'Brien-Größ")
            .With("street", "Straße \"Am Anger\" / Ecke 'Lindenweg'")
            .With("city", "Köln");
        var registered = await anonymous.PostAsJsonAsync("/api/auth/register", registration);
        AssertPassed(registered, "registration");
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var tenantId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetGuid();

        using var admin = await LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        var approved = await admin.PostAsync($"/api/admin/tenants/{tenantId}/approve", null);
        AssertPassed(approved, "approval");
        approved.EnsureSuccessStatusCode();
        var tenant = await LoginAsync(email, TestData.Password);
        (await tenant.PostAsync("/api/tenant/setup/skip", null)).EnsureSuccessStatusCode();
        return (tenantId, tenant);
    }

    [Fact]
    public async Task A_flow_with_markup_quotes_and_template_braces_in_a_Speak_text_is_saved_through_the_proxy()
    {
        var (_, tenant) = await TenantAsync("chef@baeckerei.de");
        using var client = tenant;
        const string text = "Willkommen bei {{ tenant.name }}! Öffnungszeiten <9-18 Uhr> & \"Sonderzeiten\" — Tel. 'O'Brien' < 5 Min. {{ caller.number }}";
        var definition = Definition(text);
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = "Rezeption \"Süd\" <Haupt>", definition });
        AssertPassed(created, "create flow");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var saved = await tenant.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition(text + " <b>neu</b>"), revision = 1 });
        AssertPassed(saved, "save draft");
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

        var validated = await tenant.PostAsJsonAsync("/api/flows/validate", Definition(text));
        AssertPassed(validated, "validate");

        var version = await tenant.GetFromJsonAsync<JsonElement>($"/api/flows/{id}/versions/1");
        var speak = version.GetProperty("definition").GetProperty("nodes").EnumerateArray()
            .Single(n => n.GetProperty("id").GetString() == "hello").GetProperty("inputs").GetProperty("text").GetString();
        Assert.Equal(text + " <b>neu</b>", speak);
    }

    /// <summary>Every API read the app maps (GET, from its endpoint table, so new ones are covered without listing them)
    /// passes the proxy for the role that uses it: the tenant's under /api, the super-admin's (paranoia level 2) under
    /// /api/admin. Route values are the tenant's real ids where the name says so; the answer may be 404, never the WAF's.</summary>
    [Fact]
    public async Task Every_API_read_passes_for_the_tenant_and_the_super_admin()
    {
        var (tenantId, tenant) = await TenantAsync("lesen@baeckerei.de");
        using var client = tenant;
        using var admin = await LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = "Lesen", definition = Definition("Hallo {{ caller.number }}") });
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var reads = Factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern)
            .Where(p => p.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(reads.Count >= 30, $"Only {reads.Count} API reads found.");

        foreach (var pattern in reads)
        {
            var path = "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => RouteValue(parameter, tenantId, flowId),
                _ => "",
            }))));
            var reader = path.StartsWith("/api/admin", StringComparison.Ordinal) ? admin : tenant;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await reader.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            AssertPassed(response, $"GET {path} ({pattern.RawText})");
        }
    }

    private static string RouteValue(Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter, Guid tenantId, Guid flowId)
    {
        var name = parameter.Name.ToLowerInvariant();
        if (parameter.ParameterPolicies.Any(p => p.Content is "int" or "long"))
        {
            return "1";
        }

        return name switch
        {
            "tenantid" => tenantId.ToString(),
            "flowid" or "id" => flowId.ToString(),
            _ when name.EndsWith("id", StringComparison.Ordinal) => Guid.NewGuid().ToString(),
            "version" => "1",
            _ => "beispiel",
        };
    }

    [Fact]
    public async Task Passwords_with_SQL_and_markup_characters_sign_in_and_stay_out_of_the_audit_log()
    {
        const string password = "Geheim' OR 1=1-- <script>42";
        using var anonymous = Waf.Client();
        var registered = await anonymous.PostAsJsonAsync("/api/auth/register",
            TestData.Registration("passwort@baeckerei.de", "Bäckerei Passwort").With("password", password));
        AssertPassed(registered, "registration");
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var tenantId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetGuid();
        using var admin = await LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        (await admin.PostAsync($"/api/admin/tenants/{tenantId}/approve", null)).EnsureSuccessStatusCode();

        using var tenant = await LoginAsync("passwort@baeckerei.de", password);
        var wrong = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "passwort@baeckerei.de", password = "x' UNION SELECT secret FROM keys--" });
        AssertPassed(wrong, "wrong password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        // The same characters in another field are still an attack.
        var attack = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = "x' UNION SELECT secret FROM keys--", password = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, attack.StatusCode);
        var id = RequestId(attack);
        await Eventually.UntilAsync(() => Waf.AuditEntry(id) is not null, "the attack audit-logged");
        Assert.DoesNotContain(Waf.AuditLogLines(), l => l.Contains("<script>42", StringComparison.Ordinal) || l.Contains("json.password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_test_console_audio_upload_passes()
    {
        var (_, tenant) = await TenantAsync("ton@baeckerei.de");
        using var client = tenant;
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = "Ton", definition = Definition("Hallo") });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var started = await tenant.PostAsJsonAsync($"/api/flows/{id}/simulations", new { });
        AssertPassed(started, "start simulation");
        var session = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetGuid();

        // Two seconds of noise: arbitrary bytes, as a recording is to a pattern matcher.
        using var content = new ByteArrayContent(Wav(seconds: 2));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
        var uploaded = await tenant.PostAsync($"/api/flows/{id}/simulations/{session}/speech", content);
        AssertPassed(uploaded, "speech upload");
        // The app answers itself: no speech-to-text engine is configured here.
        Assert.Equal(HttpStatusCode.Conflict, uploaded.StatusCode);
    }

    [Fact]
    public async Task A_signed_Twilio_webhook_and_a_sipgate_push_pass()
    {
        using var admin = await LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        var token = await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = TwilioAuthToken });
        AssertPassed(token, "admin setting");
        token.EnsureSuccessStatusCode();
        var (tenantId, tenant) = await TenantAsync("telefon@baeckerei.de");
        using var client = tenant;
        var flowId = await Factory.SeedSampleFlowAsync(tenantId);
        var bound = await tenant.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId });
        AssertPassed(bound, "bind number");
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);

        var form = new Dictionary<string, string>
        {
            ["CallSid"] = "CA" + new string('a', 32),
            ["AccountSid"] = "AC" + new string('1', 32),
            ["From"] = "+491701234567",
            ["To"] = "+49301111111",
            ["CallStatus"] = "ringing",
            ["Direction"] = "inbound",
            ["ApiVersion"] = "2010-04-01",
            ["CallerName"] = "O'Brien <Büro>",
        };
        using var twilio = Waf.Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature",
            VoiceAgent.Telephony.Twilio.TwilioSignature.Compute(TwilioAuthToken, new Uri(Waf.BaseUrl, "/telephony/twilio/voice").AbsoluteUri, form));
        var voice = await twilio.SendAsync(request);
        AssertPassed(voice, "Twilio voice webhook");
        Assert.Equal(HttpStatusCode.OK, voice.StatusCode);
        Assert.Contains("<Response>", await voice.Content.ReadAsStringAsync());

        const string push = "event=newCall&from=491701234567&to=49301111111&direction=in&callId=waf1&user%5B%5D=Alice&userId%5B%5D=w0&fullUserId%5B%5D=1234567w0";
        var sipgate = new HttpRequestMessage(HttpMethod.Post, "/telephony/sipgate/push") { Content = new StringContent(push, Encoding.UTF8) };
        sipgate.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        sipgate.Headers.Add("X-Sipgate-Signature", Convert.ToBase64String(SipgateKey.SignData(Encoding.UTF8.GetBytes(push),
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)));
        var pushed = await twilio.SendAsync(sipgate);
        AssertPassed(pushed, "sipgate push");
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
    }

    [Fact]
    public async Task Designer_admin_and_portal_assets_and_the_login_form_pass()
    {
        using var client = Waf.Client();
        var login = await client.GetAsync("/login");
        AssertPassed(login, "login page");
        login.EnsureSuccessStatusCode();
        var html = await login.Content.ReadAsStringAsync();
        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:href|src)=\"(/?(?:_content|_framework|css|js|lib|[^\"/]+\\.(?:css|js))[^\"]*)\"")
            .Select(m => "/" + m.Groups[1].Value.TrimStart('/')).ToList();
        assets.AddRange(["/_content/VoiceAgent.Designer/designer-canvas.js", "/_content/VoiceAgent.Designer/designer-canvas.css",
            "/_content/VoiceAgent.Designer/flow-viewer.js", "/_content/VoiceAgent.Designer/recorder-worklet.js", "/_framework/blazor.web.js"]);
        Assert.True(assets.Count > 6, string.Join(", ", assets));
        foreach (var asset in assets.Distinct())
        {
            var response = await client.GetAsync(asset);
            AssertPassed(response, asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
        }

        // The login form in the browser (antiforgery token, password with special characters), then an admin page.
        var page = await NewPageAsync();
        await LoginAsAdminAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        Assert.DoesNotContain(Waf.AuditLogLines(), l => l.Contains("\"ruleId\"", StringComparison.Ordinal));
    }

    private static JsonElement Definition(string text) => JsonSerializer.SerializeToElement(new
    {
        name = "egal",
        nodes = new object[]
        {
            new { id = "start", type = "Start", position = new { x = 0, y = 0 } },
            new { id = "hello", type = "Speak", inputs = new { text }, position = new { x = 0, y = 120 } },
            new { id = "bye", type = "Hangup", inputs = new { goodbye = "Auf Wiederhören" }, position = new { x = 0, y = 240 } },
        },
        connections = new object[]
        {
            new { from = "start", outcome = "Done", to = "hello" },
            new { from = "hello", outcome = "Done", to = "bye" },
        },
    });

    /// <summary>A 16-bit mono PCM WAV at 16 kHz filled with seeded noise.</summary>
    private static byte[] Wav(int seconds)
    {
        const int rate = 16_000;
        var samples = new byte[rate * 2 * seconds];
        new Random(16).NextBytes(samples);
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + samples.Length);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples.Length);
        writer.Write(samples);
        writer.Flush();
        return stream.ToArray();
    }
}

/// <summary>Blazor's circuit runs over the proxy's WebSocket upgrade: a page becomes interactive.</summary>
public sealed class WafBlazorTests : WafTest
{
    [Fact]
    public async Task The_Blazor_circuit_connects_over_a_WebSocket_through_the_proxy_and_the_page_is_interactive()
    {
        var page = await NewPageAsync();
        var sockets = new List<IWebSocket>();
        var frames = 0;
        page.WebSocket += (_, socket) =>
        {
            lock (sockets)
            {
                sockets.Add(socket);
            }

            socket.FrameReceived += (_, _) => Interlocked.Increment(ref frames);
        };

        await LoginAsAdminAsync(page);
        await Eventually.UntilAsync(() => Volatile.Read(ref frames) > 0, "frames from the circuit");
        lock (sockets)
        {
            Assert.Contains(sockets, s => s.Url.StartsWith($"wss://localhost:{Waf.Port}/_blazor", StringComparison.Ordinal));
        }

        // Interactive: typing into the filter re-renders the table over the circuit and updates the address.
        await Factory.RegisterAsync(TestData.Registration("anger@example.com", "Bäckerei Am Anger"));
        await Factory.RegisterAsync(TestData.Registration("linde@example.com", "Salon Linde"));
        await page.GotoAsync("/admin/tenants?status=pending");
        var grid = page.GetByTestId("tenant-table");
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(2);
        await page.GetByTestId("filter-text").FillAsync("Anger");
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(1);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("q=Anger$"));

        // nginx answered the upgrade (101) for the circuit.
        var access = await File.ReadAllTextAsync(Path.Combine(Waf.Directory, "logs", "access.log"));
        Assert.Matches("\"GET /_blazor\\?id=[^ ]+ HTTP/1.1\" 101 ", access);
    }
}
