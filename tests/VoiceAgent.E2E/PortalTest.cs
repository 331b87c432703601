using Deque.AxeCore.Playwright;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>
/// One browser test: an empty database with the super-admin, the real app on a Kestrel port on 127.0.0.1 and Debian's
/// Chromium (Playwright never downloads a browser). Any console error, page error or JavaScript dialog fails the test.
/// When nginx with ModSecurity is installed (always in CI: deploy/local/test.sh installs it), the browser talks to the
/// app through the production edge proxy (<see cref="NginxProxy"/>: TLS, OWASP CRS in blocking mode, WebSockets), so
/// every browser test also shows the WAF lets the portal's own traffic through. VOICEAGENT_E2E_PROXY=0 skips it.
/// </summary>
public abstract class PortalTest : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly List<string> browserProblems = [];
    private IPlaywright? playwright;
    private IBrowser? browser;

    static PortalTest()
    {
        // Belt and braces: nothing in this project may fetch a browser.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(10_000);
    }

    protected PostgresServer Database { get; private set; } = null!;

    protected VoiceAgentFactory Factory { get; private set; } = null!;

    /// <summary>What the browser opens, e.g. https://127.0.0.1:41235 through the proxy or http://127.0.0.1:41234 without
    /// (no trailing slash).</summary>
    protected string BaseUrl { get; private set; } = "";

    /// <summary>The app's own Kestrel address (no trailing slash), bypassing the proxy.</summary>
    protected string AppUrl { get; private set; } = "";

    /// <summary>The edge proxy in front of the app, or null when nginx with ModSecurity is not installed.</summary>
    protected NginxProxy? Proxy { get; private set; }

    /// <summary>True when the browser tests run through the proxy.</summary>
    protected static bool UseProxy =>
        NginxProxy.IsInstalled && Environment.GetEnvironmentVariable("VOICEAGENT_E2E_PROXY") != "0";

    /// <summary>Screenshots go to the build output (bin/…/screenshots), never into the source tree.</summary>
    protected static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    protected IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not running.");

    public async Task InitializeAsync()
    {
        Database = await PostgresServer.Shared;
        await Database.ResetAsync();

        var settings = await AppSettingsAsync();
        // The app trusts X-Forwarded-For/-Proto from the proxy on the loopback (ASP.NET's forwarded headers).
        settings.TryAdd("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
        Factory = new VoiceAgentFactory(Database) { Settings = settings, Time = AppClock, Logs = AppLogs, TestServices = TrustProxyCertificate };
        // Port 0 on the IPv4 loopback: Kestrel picks a free port itself, so there is no race with other processes.
        Factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        AppUrl = addresses?.SingleOrDefault()?.TrimEnd('/')
                 ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        BaseUrl = AppUrl;
        if (UseProxy || RequiresProxy)
        {
            Proxy = await NginxProxy.StartAsync([new Uri(AppUrl).Authority], ProxyPort);
            BaseUrl = Proxy.BaseUrl.AbsoluteUri.TrimEnd('/');
        }

        await Factory.CreateSuperAdminAsync();

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = BrowserArgs,
        });
    }

    // The setup wizard's test call posts the webhooks to the app "as the browser reached it", i.e. through the proxy; in
    // production its certificate is a real one, here the app's client trusts the test proxy's self-signed one (only it).
    private void TrustProxyCertificate(IServiceCollection services)
    {
        string? thumbprint = null;
        bool Trusted(System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors) =>
            errors == System.Net.Security.SslPolicyErrors.None
            || (Proxy is { } proxy && certificate is not null
                && string.Equals(certificate.GetCertHashString(), thumbprint ??= proxy.CertificateThumbprint, StringComparison.OrdinalIgnoreCase));
        services.AddHttpClient("SetupTestCall").ConfigurePrimaryHttpMessageHandler((handler, _) =>
        {
            switch (handler)
            {
                case SocketsHttpHandler sockets:
                    sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors);
                    break;
                case HttpClientHandler client:
                    client.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors);
                    break;
            }
        });
    }

    /// <summary>Chromium's command line. A test class may add switches for its own browser (e.g. a fake microphone) —
    /// <c>[.. base.BrowserArgs, "--…"]</c> — without changing every other test.</summary>
    protected virtual IEnumerable<string> BrowserArgs => ChromiumArgs;

    /// <summary>Every request the WAF refused during the test fails it, with the rule ids (the portal's own traffic must
    /// pass); the WAF's own tests send attacks on purpose.</summary>
    protected virtual bool WafRefusalsAreProblems => true;

    /// <summary>A test class about the proxy itself runs through it even when VOICEAGENT_E2E_PROXY=0 (and fails clearly
    /// when nginx with ModSecurity is not installed).</summary>
    protected virtual bool RequiresProxy => false;

    /// <summary>The proxy's port when a test must know it before the app starts (e.g. for Telephony:PublicBaseUrl); null
    /// picks a free one.</summary>
    protected virtual int? ProxyPort => null;

    /// <summary>The app's clock when a test needs a fixed date (e.g. dashboards); null is the system clock.</summary>
    protected virtual TimeProvider? AppClock => null;

    /// <summary>Receives the app's log lines when a test needs to read them (e.g. to show a secret is never logged).</summary>
    protected virtual LogCapture? AppLogs => null;

    /// <summary>Extra configuration of the app (e.g. provider endpoints pointing at fakes the test started).</summary>
    protected virtual Task<Dictionary<string, string?>> AppSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    public async Task DisposeAsync()
    {
        try
        {
            if (browser is not null)
            {
                await ScreenshotLastStateAsync(browser);
                await browser.CloseAsync();
            }

            playwright?.Dispose();
        }
        finally
        {
            if (Proxy is not null)
            {
                if (WafRefusalsAreProblems)
                {
                    foreach (var refusal in Proxy.Refusals())
                    {
                        Report("refused by the WAF (add a narrow exclusion to deploy/proxy/rules/voiceagent-exclusions.conf, or fix the app): " + refusal);
                    }
                }

                await Proxy.DisposeAsync();
            }

            if (Factory is not null)
            {
                await Factory.DisposeAsync();
            }
        }

        AssertNoBrowserProblems();
    }

    /// <summary>A fresh browser context (own cookies) with one page, watched for console errors, page errors and dialogs.</summary>
    protected async Task<IPage> NewPageAsync(int width = 1280, int height = 900, bool mobile = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            // The proxy's certificate is self-signed.
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = mobile,
            HasTouch = mobile,
            // The portal must not follow the browser's language: an English browser still gets German.
            Locale = "en-US",
            // No transitions: what a test (and axe-core's colour check) reads is the final state.
            ReducedMotion = ReducedMotion.Reduce,
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(15_000);
        context.Page += (_, page) => Watch(page);
        // Any Content-Security-Policy violation (blocked script, style, media, connection …) is a console error, so it
        // fails the test like any other (Chromium also logs "Refused to …" itself; this names the directive).
        await context.AddInitScriptAsync(CspViolationListener);
        var page = await context.NewPageAsync();
        return page;
    }

    public const string CspViolationListener =
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));";

    /// <summary>
    /// Signs in through the login form and waits for the landing page. The test super-admin has an enrolled authenticator
    /// (<see cref="VoiceAgentFactory.AdminAuthenticatorKey"/>): its second step gets the current code.
    /// </summary>
    protected static async Task LoginAsync(IPage page, string email, string password, string expectedPath)
    {
        await page.GotoAsync("/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true }).ClickAsync();
        if (email == VoiceAgentFactory.AdminEmail)
        {
            await SecondFactorAsync(page, Totp.Code(VoiceAgentFactory.AdminAuthenticatorKey));
        }

        await page.WaitForURLAsync("**" + expectedPath);
    }

    /// <summary>Answers the second sign-in step with a code from the app or a recovery code.</summary>
    protected static async Task SecondFactorAsync(IPage page, string code)
    {
        await page.WaitForURLAsync("**/login/2fa**");
        await page.Locator("#code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Bestätigen", Exact = true }).ClickAsync();
    }

    protected static Task LoginAsAdminAsync(IPage page) =>
        LoginAsync(page, VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword, "/admin");

    protected static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        // README_SCREENSHOTS=<repo>/docs/screenshots refreshes the README's pictures from the browser tests.
        if (Environment.GetEnvironmentVariable("README_SCREENSHOTS") is { Length: > 0 } docs && ReadmeScreenshots.Contains(name))
        {
            File.Copy(path, Path.Combine(docs, name + ".png"), overwrite: true);
        }
    }

    private static readonly HashSet<string> ReadmeScreenshots = ["tenant-dashboard", "admin-dashboard", "tenant-dashboard-dark", "register-step1"];

    /// <summary>Fails the test if the browser reported a problem so far (also checked when the test ends).</summary>
    /// <summary>axe-core on the page's main region (or the whole page): no serious or critical finding.</summary>
    protected static async Task AssertAccessibleAsync(IPage page, bool wholePage = false)
    {
        var result = wholePage ? await page.RunAxe() : await page.Locator("#main").RunAxe();
        var findings = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{page.Url}: {v.Impact} {v.Id} – {v.Help} @ {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(findings.Count == 0, "axe-core:\n" + string.Join("\n", findings));
    }

    /// <summary>A scalar count straight from the database as its owner (to check what the pages did).</summary>
    protected async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    protected void AssertNoBrowserProblems()
    {
        string? report = null;
        lock (browserProblems)
        {
            if (browserProblems.Count > 0)
            {
                // Reported once: the check at the end of DisposeAsync only sees problems that came later.
                report = "Browser problems:\n" + string.Join("\n", browserProblems);
                browserProblems.Clear();
            }
        }

        Assert.True(report is null, report);
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    // What each page showed when the test ended (helps with a failure): screenshots/last/<class>-<n>.png.
    private async Task ScreenshotLastStateAsync(IBrowser running)
    {
        var pages = running.Contexts.SelectMany(c => c.Pages).ToList();
        var directory = Path.Combine(ScreenshotDirectory, "last");
        Directory.CreateDirectory(directory);
        for (var i = 0; i < pages.Count; i++)
        {
            try
            {
                await pages[i].ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{GetType().Name}-{i + 1}.png"), Timeout = 5_000 });
            }
            catch (PlaywrightException)
            {
                // A page that cannot be captured (closed, crashed) must not hide the test's own result.
            }
        }
    }

    private void Watch(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Report($"console error on {page.Url}: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Report($"page error on {page.Url}: {error}");
        page.Dialog += async (_, dialog) =>
        {
            Report($"unexpected {dialog.Type} dialog on {page.Url}: {dialog.Message}");
            await dialog.DismissAsync();
        };
    }

    private void Report(string problem)
    {
        lock (browserProblems)
        {
            browserProblems.Add(problem);
        }
    }
}
