using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;

namespace VoiceAgent.Benchmarks.Portal;

/// <summary>
/// <c>dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- portal-pages [--quick] [--runs N] [--circuits N] [--circuit-pages /app,/app/calls]</c>:
/// the portal's pages and circuits on portal-sized data (issue #13: every page interactive in ≤ 1.0 s on loopback, server
/// memory ≤ 1 MB per open circuit with 50 circuits). Seeds <see cref="PortalDataSeeder"/>'s data into a private
/// PostgreSQL, hosts the real app on Kestrel (127.0.0.1, Production environment) in this process and drives Debian's
/// Chromium through Playwright (never downloads a browser):
/// <list type="number">
/// <item>As super-admin and as the admin of the busiest approved tenant: every navigation entry (except Hangfire's
/// <c>/admin/jobs</c>) and the detail page behind the first row of a list, one warm-up visit, then <c>--runs</c> timed
/// visits each, from <c>GotoAsync</c> until the page is interactive (see <see cref="VisitAsync"/>). p50 &gt; 1000 ms fails
/// the full run.</item>
/// <item><c>--circuits</c> more pages of the tenant admin (one Chromium, several contexts) on the interactive tenant pages;
/// the managed heap after a full GC before and after they are all interactive gives the bytes per circuit, and the
/// circuit count the server reports (its <c>aspnetcore.components.circuit.*</c> metrics) proves they are open.</item>
/// </list>
/// <c>--quick</c> (the smoke run): 5 tenants, 500 calls, 1 timed visit per page, 5 circuits; reports only.
/// <c>--heap-dumps DIR</c> writes a heap dump of this process (<c>dotnet-dump collect --type Heap</c>; install it with
/// <c>dotnet tool install -g dotnet-dump</c>) at both memory measurements, <c>DIR/before.dmp</c> and <c>DIR/after.dmp</c>,
/// to find what a circuit keeps (<c>dotnet-dump analyze DIR/after.dmp -c "dumpheap -stat"</c>, compared with before).
/// </summary>
internal static class PortalPagesCommand
{
    public const double TargetMs = 1000;
    public const double TargetBytesPerCircuit = 1024 * 1024;

    internal const string ChromiumPath = "/usr/bin/chromium";
    internal const string TenantAdminEmail = "bench-admin@bench.local";
    internal const string TenantAdminPassword = "Bench-Passwort-123";

    internal static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    // A Blazor Server root component (interactive, prerender off) leaves this marker in the page's HTML; a page excluded
    // from interactive routing (static SSR) has none, so there is no circuit to wait for.
    private const string ServerMarker = "<!--Blazor:{\"type\":\"server\"";

    /// <summary>Interactive means: h1 shown, no indeterminate loading bar (MudBlazor's class) left.</summary>
    private const string LoadedScript = "() => !document.querySelector('.mud-progress-indeterminate')";

    private const string Id = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private sealed record PageResult(string Role, string Path, bool Interactive, List<double> Ms);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter? log = null)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var quick = args.Contains("--quick");
        var tenants = CommandArgs.Int(args, "--tenants", quick ? 5 : 500);
        var calls = CommandArgs.Int(args, "--calls", quick ? 500 : 100_000);
        var invoices = CommandArgs.Int(args, "--invoices", quick ? 20 : 2_000);
        var runs = CommandArgs.Int(args, "--runs", quick ? 1 : 5);
        var circuits = CommandArgs.Int(args, "--circuits", quick ? 5 : 50);
        log ??= Console.Out;

        log.WriteLine("Starting a private PostgreSQL …");
        await using var database = await PostgresServer.StartAsync();
        log.WriteLine($"Seeding {tenants:N0} tenants, {calls:N0} calls (60 days), {invoices:N0} invoices …");
        var seeding = Stopwatch.StartNew();
        await PortalDataSeeder.SeedAsync(database.OwnerConnectionString, DateTimeOffset.UtcNow, tenants, calls, invoices);
        log.WriteLine($"  seeded in {seeding.Elapsed.TotalSeconds:0.0} s");
        var (tenantId, tenantCalls) = await BusiestApprovedTenantAsync(database.OwnerConnectionString);

        using var circuitMeter = new CircuitCounter();
        await using var parent = NewFactory(database);
        await using var factory = StartApp(parent, out var baseUrl);
        await CreateUsersAsync(factory.Services, tenantId);
        log.WriteLine($"App on {baseUrl}; tenant admin of the busiest approved tenant ({tenantCalls:N0} calls).");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        var problems = new List<string>();

        // 1. Every page, as both roles.
        var results = new List<PageResult>();
        var failures = new List<string>();
        string tenantState = "";
        foreach (var (role, email, password, landing) in new[]
                 {
                     ("super-admin", VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword, "/admin"),
                     ("tenant admin", TenantAdminEmail, TenantAdminPassword, "/app"),
                 })
        {
            var context = await NewContextAsync(browser, baseUrl, null, problems);
            var page = await context.NewPageAsync();
            await LoginAsync(page, email, password, landing);
            if (role == "tenant admin")
            {
                tenantState = await context.StorageStateAsync();
            }

            var paths = await NavigationPathsAsync(page);
            log.WriteLine($"{role}: {paths.Count} navigation entries");
            for (var i = 0; i < paths.Count; i++)
            {
                var path = paths[i];
                try
                {
                    // Warm-up visit: decides whether the page is interactive, and finds the detail page behind a list.
                    var response = await page.GotoAsync(path);
                    var interactive = response is not null && (await response.TextAsync()).Contains(ServerMarker, StringComparison.Ordinal);
                    await WaitLoadedAsync(page);
                    if (await DetailPathAsync(page, path) is { } detail && !paths.Contains(detail))
                    {
                        paths.Insert(i + 1, detail);
                    }

                    var ms = new List<double>();
                    for (var run = 0; run < runs; run++)
                    {
                        ms.Add(await VisitAsync(page, path, interactive));
                    }

                    results.Add(new PageResult(role, path, interactive, ms));
                    log.WriteLine(Line(results[^1]));
                }
                catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
                {
                    failures.Add($"{role} {Generic(path)}: {ex.Message.Split('\n')[0]}");
                    log.WriteLine($"| {role} | {Generic(path)} | FAILED: {ex.Message.Split('\n')[0]} |");
                }
            }

            // about:blank unloads the page, so Blazor tells the server to drop the circuit at once (not after the
            // disconnected-circuit retention period): the circuit phase starts with none left over.
            await page.GotoAsync("about:blank");
            await context.CloseAsync();
        }

        // 2. Memory per circuit: the tenant admin's interactive pages, dashboard first.
        var circuitPages = CommandArgs.Text(args, "--circuit-pages")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            ?? results.Where(r => r is { Role: "tenant admin", Interactive: true }).Select(r => r.Path)
                .OrderBy(p => p == "/app" ? 0 : p == "/app/calls" ? 1 : 2).Take(2).ToList();
        // A static page of the same app (no circuit) as the baseline when there is one; about:blank otherwise (/status, the
        // one static page a signed-in tenant could open, sends an approved tenant on to its dashboard).
        var staticPage = results.FirstOrDefault(r => r is { Role: "tenant admin", Interactive: false } && !r.Path.Contains('-'))?.Path;
        var dumps = CommandArgs.Text(args, "--heap-dumps");
        var memory = await MeasureCircuitsAsync(browser, baseUrl, tenantState, circuitPages, staticPage, circuits, circuitMeter, dumps, problems, log);

        // Report.
        log.WriteLine();
        log.WriteLine($"| Role | Page | Kind | Runs | p50 | Max |");
        log.WriteLine($"|---|---|---|---:|---:|---:|");
        foreach (var result in results)
        {
            log.WriteLine(Line(result));
        }

        log.WriteLine();
        log.WriteLine(memory.Report);
        if (problems.Count > 0)
        {
            log.WriteLine($"Browser problems ({problems.Count}, first 10):");
            foreach (var problem in problems.Distinct().Take(10))
            {
                log.WriteLine("  " + problem);
            }
        }

        var slow = results.Where(r => P50(r.Ms) > TargetMs).ToList();
        if (slow.Count > 0)
        {
            log.WriteLine($"p50 above {TargetMs} ms: {string.Join(", ", slow.Select(r => $"{r.Role} {r.Path}"))}");
        }

        if (memory.BytesPerCircuit > TargetBytesPerCircuit)
        {
            log.WriteLine($"Memory per circuit above the target of {TargetBytesPerCircuit / 1024 / 1024:0} MB.");
        }

        if (memory.Circuits < circuits)
        {
            throw new InvalidOperationException($"Only {memory.Circuits} of {circuits} circuits were open: the memory figure is wrong.");
        }

        if (failures.Count > 0)
        {
            log.WriteLine("Pages that did not become interactive:");
            foreach (var failure in failures)
            {
                log.WriteLine("  " + failure);
            }

            return 1;
        }

        return !quick && slow.Count > 0 ? 1 : 0;
    }

    /// <summary>
    /// One timed visit: from <c>GotoAsync</c> (the document loaded) until the first <c>h1</c> is visible and no indeterminate
    /// loading bar is left (the page's data is shown); on an interactive page also until a click is answered by the
    /// circuit — the theme toggle's <c>aria-pressed</c> flips (flipped back afterwards, not timed). A static page
    /// (excluded from interactive routing) has no circuit: the document, its h1 and scripts loaded is all there is.
    /// </summary>
    private static async Task<double> VisitAsync(IPage page, string path, bool interactive)
    {
        var watch = Stopwatch.StartNew();
        await page.GotoAsync(path);
        await WaitLoadedAsync(page);
        if (!interactive)
        {
            return watch.Elapsed.TotalMilliseconds;
        }

        var toggle = page.GetByTestId("theme-toggle");
        var pressed = await toggle.GetAttributeAsync("aria-pressed");
        var flipped = pressed == "true" ? "false" : "true";
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", flipped);
        var ms = watch.Elapsed.TotalMilliseconds;
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", pressed!);
        return ms;
    }

    private static async Task WaitLoadedAsync(IPage page)
    {
        await page.Locator("h1").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        await page.WaitForFunctionAsync(LoadedScript);
    }

    private sealed record MemoryResult(double BytesPerCircuit, long Circuits, string Report);

    private static async Task<MemoryResult> MeasureCircuitsAsync(IBrowser browser, string baseUrl, string state, List<string> paths,
        string? staticPath, int count, CircuitCounter meter, string? dumps, List<string> problems, TextWriter log)
    {
        if (paths.Count == 0)
        {
            return new MemoryResult(0, 0, "No interactive tenant page: no circuits to measure.");
        }

        // The app warmed up (every page visited above) and one circuit open.
        var warm = await (await NewContextAsync(browser, baseUrl, state, problems)).NewPageAsync();
        await warm.GotoAsync(paths[0]);
        await WaitLoadedAsync(warm);

        // Pages and contexts exist before the first measurement, so their client-side objects (Playwright's, in this
        // process too) count on both sides; only the navigations, i.e. the circuits, make the difference.
        var contexts = Math.Max(1, count / 10);
        var pages = new List<IPage>();
        var browserContexts = new List<IBrowserContext>();
        for (var c = 0; c < contexts; c++)
        {
            browserContexts.Add(await NewContextAsync(browser, baseUrl, state, problems));
        }

        for (var i = 0; i < count; i++)
        {
            pages.Add(await browserContexts[i % contexts].NewPageAsync());
        }

        // Each page first loads a static portal page (same layout and sign-in, no circuit): what a page load leaves behind
        // without a circuit (HTTP connections, Playwright's objects for requests and frames) is on both sides too.
        if (staticPath is not null)
        {
            await OpenAllAsync(pages, _ => staticPath);
        }

        await SettledAsync(pages);
        var circuitsBefore = meter.Active;
        var before = ManagedHeapAfterFullGc();
        await HeapDumpAsync(dumps, "before", log);

        await OpenAllAsync(pages, i => paths[i % paths.Count]);

        await SettledAsync(pages);
        var circuitsAfter = meter.Active;
        var connected = meter.Connected;
        var after = ManagedHeapAfterFullGc();
        await HeapDumpAsync(dumps, "after", log);
        var opened = circuitsAfter - circuitsBefore;
        var perCircuit = (double)(after - before) / count;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"Circuits: {count} pages on {string.Join(" and ", paths)} (alternating; before: on {staticPath ?? "about:blank"}) in {contexts} contexts; the server counts {circuitsBefore} circuit(s) before, " +
            $"{circuitsAfter} after ({connected} connected). Managed heap after a full GC: {before / 1024.0 / 1024:0.0} MB before, " +
            $"{after / 1024.0 / 1024:0.0} MB after: {perCircuit / 1024:0} KB per circuit (target ≤ 1024 KB).");
        log.WriteLine(report);

        foreach (var context in browserContexts.Append(warm.Context))
        {
            foreach (var page in context.Pages)
            {
                await page.GotoAsync("about:blank");
            }

            await context.CloseAsync();
        }

        return new MemoryResult(perCircuit, opened, report);
    }

    /// <summary>Loads a page in every tab, a few at a time (2 cores), each until interactive.</summary>
    // Every page has finished talking to the server (no request for 500 ms), so the heap is measured at rest.
    private static Task SettledAsync(List<IPage> pages) =>
        Task.WhenAll(pages.Select(p => p.WaitForLoadStateAsync(LoadState.NetworkIdle)));

    private static async Task OpenAllAsync(List<IPage> pages, Func<int, string> path)
    {
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(pages.Select(async (page, i) =>
        {
            await gate.WaitAsync();
            try
            {
                await page.GotoAsync(path(i));
                await WaitLoadedAsync(page);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task HeapDumpAsync(string? folder, string name, TextWriter log)
    {
        if (folder is null)
        {
            return;
        }

        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-dump");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(Path.GetFullPath(folder), name + ".dmp");
        var info = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "collect", "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--type", "Heap", "-o", path })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        log.WriteLine(process.ExitCode == 0 ? $"Heap dump: {path}" : $"Heap dump failed ({process.ExitCode}): {output.Trim()}");
    }

    private static long ManagedHeapAfterFullGc()
    {
        GC.Collect(2, GCCollectionMode.Forced, true, true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }

    internal static VoiceAgentFactory NewFactory(PostgresServer database) =>
        // Production, as deployed; the invoice issuer is the only configuration it needs that Development's appsettings
        // provide (as there: appsettings.Development.json).
        new(database, "Production")
        {
            Settings = new Dictionary<string, string?>
            {
                ["Billing:Issuer:Name"] = "VoiceAgent Benchmark GmbH",
                ["Billing:Issuer:Street"] = "Musterstraße 1",
                ["Billing:Issuer:PostalCode"] = "10115",
                ["Billing:Issuer:City"] = "Berlin",
                ["Billing:Issuer:Country"] = "DE",
                ["Billing:Issuer:TaxNumber"] = "30/123/45678",
                ["Billing:Issuer:VatId"] = "DE999999999",
                ["Billing:Issuer:Email"] = "rechnung@bench.local",
                ["Billing:Issuer:Iban"] = "DE02 1203 0000 0000 2020 51",
                ["Billing:Issuer:Bic"] = "BYLADEM1001",
                ["Billing:Issuer:BankName"] = "Beispielbank",
                ["Billing:Issuer:ManagingDirector"] = "Erika Beispiel",
            },
        };

    /// <summary>
    /// The app from the build output (not published): outside Development, ASP.NET Core serves the static web assets of
    /// packages (MudBlazor, blazor.web.js) only when asked to, as a published app has them in its wwwroot.
    /// </summary>
    internal static WebApplicationFactory<TEntryPoint> StartApp<TEntryPoint>(WebApplicationFactory<TEntryPoint> parent, out string baseUrl)
        where TEntryPoint : class
    {
        var factory = parent.WithWebHostBuilder(b => b.ConfigureAppConfiguration((context, _) =>
            StaticWebAssetsLoader.UseStaticWebAssets(context.HostingEnvironment, context.Configuration)));
        baseUrl = VoiceAgent.Benchmarks.Load.RealApp.StartOnLoopback(factory);
        return factory;
    }

    internal static async Task<(Guid Id, long Calls)> BusiestApprovedTenantAsync(string ownerConnectionString)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT t.id, count(c.id) FROM tenants t LEFT JOIN calls c ON c.tenant_id = t.id
             WHERE t.status = 'approved' GROUP BY t.id ORDER BY count(c.id) DESC, t.id LIMIT 1
            """, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetGuid(0), reader.GetInt64(1)) : throw new InvalidOperationException("No approved tenant seeded.");
    }

    /// <summary>
    /// The super-admin (as the CLI creates it) and, since the seeded tenants have no users, an admin for the busiest one,
    /// created as registration does (Identity, platform scope).
    /// </summary>
    internal static async Task CreateUsersAsync(IServiceProvider services, Guid tenantId)
    {
        await using var scope = services.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<DevSeeder>()
            .CreateSuperAdminAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword, devSeeded: false);
        if (admin.Kind != OutcomeKind.Ok)
        {
            throw new InvalidOperationException("Super-admin: " + string.Join(" ", admin.Errors!.SelectMany(e => e.Value)));
        }

        // Super-admins must use two-factor authentication: the known test key lets LoginAsync answer the second step.
        await VoiceAgentFactory.EnrolAuthenticatorAsync(services, VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminAuthenticatorKey);

        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var result = await db.InScopeAsync(s => s.UsePlatform(), () => users.CreateAsync(new AppUser
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            Role = UserRole.TenantAdmin,
            UserName = TenantAdminEmail,
            Email = TenantAdminEmail,
            EmailConfirmed = true,
            DisplayName = "Bench Admin",
            CreatedAt = DateTimeOffset.UtcNow,
            LockoutEnabled = true,
        }, TenantAdminPassword));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Tenant admin: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    internal static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string baseUrl, string? storageState, List<string> problems)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1366, Height = 860 },
            Locale = "de-DE",
            StorageState = storageState,
        });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(30_000);
        context.Page += (_, page) =>
        {
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    lock (problems)
                    {
                        problems.Add($"console error on {page.Url}: {message.Text}");
                    }
                }
            };
            page.PageError += (_, error) =>
            {
                lock (problems)
                {
                    problems.Add($"page error on {page.Url}: {error}");
                }
            };
        };
        return context;
    }

    internal static async Task LoginAsync(IPage page, string email, string password, string landing)
    {
        await page.GotoAsync("/login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden", Exact = true }).ClickAsync();
        if (email == VoiceAgentFactory.AdminEmail)
        {
            await page.WaitForURLAsync("**/login/2fa**");
            await page.Locator("#code").FillAsync(Totp.Code(VoiceAgentFactory.AdminAuthenticatorKey));
            await page.GetByRole(AriaRole.Button, new() { Name = "Bestätigen", Exact = true }).ClickAsync();
        }

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == landing);
    }

    private static async Task<List<string>> NavigationPathsAsync(IPage page)
    {
        var nav = page.GetByTestId("nav");
        await nav.Locator("[data-nav]").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        var paths = await nav.Locator("[data-nav]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-nav'))");
        return paths.Where(p => !p.StartsWith("/admin/jobs", StringComparison.Ordinal)).Distinct().ToList();
    }

    /// <summary>The first link below a list page to one of its records (<c>/admin/tenants/{id}</c>, <c>/app/calls/{id}</c>, …).</summary>
    private static async Task<string?> DetailPathAsync(IPage page, string path)
    {
        var hrefs = await page.Locator($"main a[href^='{path}/'], #main a[href^='{path}/']")
            .EvaluateAllAsync<string[]>("els => els.map(e => new URL(e.href).pathname)");
        // A record of this list (tenants/{id}, calls/{id}, billing/invoices/{id}); not a dashboard's link into another list.
        var detail = new Regex($"^{Regex.Escape(path)}/(invoices/)?{Id}$", RegexOptions.CultureInvariant);
        return hrefs.FirstOrDefault(h => detail.IsMatch(h));
    }

    private static double P50(List<double> ms) => Percentiles.Of(ms.Order().ToArray(), 50);

    private static string Line(PageResult r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Role} | {Generic(r.Path)} | {(r.Interactive ? "interactive" : "static SSR")} | {r.Ms.Count} | {P50(r.Ms):0} ms | {r.Ms.Max():0} ms |");

    private static string Generic(string path) =>
        Regex.Replace(path, Id, "{id}", RegexOptions.CultureInvariant);



    /// <summary>
    /// The server's own circuit counts: ASP.NET Core's <c>aspnetcore.components.circuit.active</c> (circuits in memory,
    /// connected or not) and <c>.connected</c> up-down counters, summed from their measurements.
    /// </summary>
    private sealed class CircuitCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long active;
        private long connected;

        public CircuitCounter()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Components.Server.Circuits"
                    && instrument.Name is "aspnetcore.components.circuit.active" or "aspnetcore.components.circuit.connected")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "aspnetcore.components.circuit.active")
                {
                    Interlocked.Add(ref active, value);
                }
                else
                {
                    Interlocked.Add(ref connected, value);
                }
            });
            listener.Start();
        }

        public long Active => Interlocked.Read(ref active);

        public long Connected => Interlocked.Read(ref connected);

        public void Dispose() => listener.Dispose();
    }
}
