using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Benchmarks.Portal;
using VoiceAgent.Billing;
using VoiceAgent.Platform;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Testing;
using VoiceAgent.Web.Dashboards;

namespace VoiceAgent.Benchmarks.Isolation;

/// <summary>
/// <c>dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- rls [--quick] [--tenants 200] [--calls 200000] [--invoices 1200] [--runs 1.0] [--explain name]</c>:
/// benchmark B6, the cost of isolation. The hot queries run through their production code, each (a) as the app does it —
/// app role, row-level security on, the scope set per transaction, EF Core's tenant query filters — and (b) as the schema
/// owner (row-level security does not apply to the tables' owner) with the isolation taken out of the query filters
/// (<see cref="WithoutIsolation"/>), on the same data in the same run, interleaved. Every pair of results must be equal
/// (the equivalence check, all that <c>--quick</c> and the smoke run are for). Reports p50/p95 per side and the ratio
/// of the p50s (target ≤ <see cref="Target"/>×). <c>--explain</c> part-of-a-name runs the matching queries once per side and
/// writes EXPLAIN (ANALYZE, BUFFERS) of every statement instead of measuring.
/// </summary>
internal static class RlsCommand
{
    public const double Target = 1.15;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>One hot query: how production runs it, and one run of it on a side for iteration i (the result is compared).</summary>
    /// <param name="Platform">Runs in platform scope: the owner side drops the query filters instead of keeping the tenant predicate.</param>
    private sealed record HotQuery(string Name, string Production, int Runs, bool Platform, Func<ServiceProvider, int, Task<object?>> Run);

    /// <summary>The app as production builds it, and the owner without isolation for tenant-scoped and for platform-scoped queries.</summary>
    private sealed record Sides(ServiceProvider App, ServiceProvider OwnerTenant, ServiceProvider OwnerPlatform) : IAsyncDisposable
    {
        public ServiceProvider Owner(HotQuery query) => query.Platform ? OwnerPlatform : OwnerTenant;

        public static Sides Build(PostgresServer database, DateTimeOffset now, Func<string, Action<IServiceCollection>?>? extra = null)
        {
            Action<IServiceCollection> With(string side, Action<IServiceCollection>? model) => services =>
            {
                model?.Invoke(services);
                extra?.Invoke(side)?.Invoke(services);
            };

            return new(PortalDashboardsCommand.Services(database.AppConnectionString, now, With("app", null)),
                PortalDashboardsCommand.Services(database.OwnerConnectionString, now, With("owner", WithoutIsolation.TenantPredicateOnly)),
                PortalDashboardsCommand.Services(database.OwnerConnectionString, now, With("owner", WithoutIsolation.NoFilters)));
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await OwnerTenant.DisposeAsync();
            await OwnerPlatform.DisposeAsync();
        }
    }

    private sealed record Figures(string Name, string Production, int Runs, double AppP50, double AppP95, double OwnerP50, double OwnerP95)
    {
        public double Ratio => AppP50 / OwnerP50;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter? log = null)
    {
        var quick = args.Contains("--quick");
        var tenants = CommandArgs.Int(args, "--tenants", quick ? 5 : 200);
        var calls = CommandArgs.Int(args, "--calls", quick ? 500 : 200_000);
        var invoices = CommandArgs.Int(args, "--invoices", quick ? 20 : tenants * 6);
        var scale = double.Parse(CommandArgs.Text(args, "--runs") ?? "1", CultureInfo.InvariantCulture);
        int Runs(int full) => quick ? 3 : Math.Max(3, (int)(full * scale));
        log ??= Console.Out;

        log.WriteLine($"Load average before: {LoadAverage()}");
        log.WriteLine("Starting a private PostgreSQL …");
        await using var database = await PostgresServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        log.WriteLine($"Seeding {tenants:N0} tenants, {calls:N0} calls (60 days), {invoices:N0} invoices, 2 numbers per tenant …");
        var seeding = Stopwatch.StartNew();
        var data = await PortalDataSeeder.SeedAsync(database.OwnerConnectionString, now, tenants, calls, invoices);
        var numbers = await SeedNumbersAsync(database.OwnerConnectionString);
        log.WriteLine($"  seeded in {seeding.Elapsed.TotalSeconds:0.0} s");

        await using var sides = Sides.Build(database, now);
        await CheckSidesAsync(sides.App, sides.OwnerTenant, data);

        // The busiest tenant first, then all of them in turn: every tenant-scoped run on both sides is for the same tenant.
        var byCalls = data.Tenants.Select((id, index) => (id, calls: data.Calls.Count(c => c.Tenant == index))).OrderByDescending(t => t.calls)
            .Select(t => t.id).ToList();
        Guid Tenant(int i) => byCalls[i % byCalls.Count];
        var lastMonth = BillingPeriod.Containing(now).Previous;

        var queries = new List<HotQuery>
        {
            new("number routing (CallStarted.RouteAsync → route_number)", "app role, no scope yet; route_number is SECURITY DEFINER", Runs(3000), false,
                (side, i) => InScopeAsync(side, s => s.Clear(), (_, db) => CallStarted.RouteAsync(db, numbers[i % numbers.Count], null, default))),
            new("call list, newest 25 (CallHistory.PageAsync)", "app role, tenant scope", Runs(600), false, (side, i) =>
                InScopeAsync(side, s => s.UseTenant(Tenant(i)), async (_, db) =>
                {
                    var (rows, total) = await CallHistory.PageAsync(db, new CallFilter(), 0, 25, false, default);
                    return new { rows, total };
                })),
            new("call list, last 7 days, 2nd page (CallHistory.PageAsync)", "app role, tenant scope", Runs(600), false, (side, i) =>
                InScopeAsync(side, s => s.UseTenant(Tenant(i)), async (_, db) =>
                {
                    var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, BusinessTime.ZoneInfo).DateTime);
                    var (rows, total) = await CallHistory.PageAsync(db, new CallFilter(From: today.AddDays(-6)), 1, 25, false, default);
                    return new { rows, total };
                })),
            new("usage aggregation, last month (UsageAggregator.ForAllTenantsAsync)", "app role, platform scope (billing run); usage_totals is SECURITY DEFINER",
                Runs(60), true, (side, _) => InScopeAsync(side, s => s.UsePlatform(), async (_, db) =>
                    (await UsageAggregator.ForAllTenantsAsync(db, lastMonth)).OrderBy(u => u.Key).ToList())),
            new("tenant dashboard (TenantDashboardQuery)", "app role, tenant scope", Runs(600), false, (side, i) =>
                InScopeAsync(side, s => s.UseTenant(Tenant(i)), (sp, _) => sp.GetRequiredService<TenantDashboardQuery>().LoadAsync(default))),
            new("admin dashboard (AdminDashboardQuery)", "app role, platform scope (super-admin)", Runs(60), true, (side, _) =>
                InScopeAsync(side, s => s.UsePlatform(), (sp, _) => sp.GetRequiredService<AdminDashboardQuery>().LoadAsync(default))),
        };

        if (CommandArgs.Text(args, "--explain") is { } explain)
        {
            // Each matching query once per side (the busiest tenant), every statement with its plan; nothing measured.
            await using var explaining = Sides.Build(database, now, side => s => s.ConfigureDbContext<VoiceAgentDb>(o => o.AddInterceptors(new ExplainInterceptor(log, side))));
            foreach (var query in queries.Where(q => q.Name.Contains(explain, StringComparison.OrdinalIgnoreCase)))
            {
                log.WriteLine($"=== {query.Name}");
                await query.Run(explaining.App, 0);
                await query.Run(explaining.Owner(query), 0);
            }

            return 0;
        }

        var results = new List<Figures>();
        foreach (var query in queries)
        {
            log.WriteLine($"{query.Name}: {query.Runs} runs per side …");
            results.Add(await MeasureAsync(query, sides.App, sides.Owner(query), quick ? 1 : Math.Max(5, query.Runs / 10)));
        }

        var report = Report(results, tenants, calls, invoices, quick);
        log.WriteLine();
        log.Write(report);
        log.WriteLine($"Load average after: {LoadAverage()}");
        if (!quick)
        {
            var directory = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", "results");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "rls-report.md"), report);
        }

        return 0;
    }

    /// <summary>
    /// Warm-up, then the runs with the two sides interleaved (a b, b a, …) so drift and order hit both alike. Every pair of
    /// results is compared: the two sides must return the same for the same input, or the run stops.
    /// </summary>
    private static async Task<Figures> MeasureAsync(HotQuery query, ServiceProvider app, ServiceProvider owner, int warmUp)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await query.Run(app, i);
            await query.Run(owner, i);
        }

        var appMs = new List<double>(query.Runs);
        var ownerMs = new List<double>(query.Runs);
        for (var i = 0; i < query.Runs; i++)
        {
            var appFirst = i % 2 == 0;
            var first = await TimedAsync(appFirst ? app : owner, query, i);
            var second = await TimedAsync(appFirst ? owner : app, query, i);
            var (a, b) = appFirst ? (first, second) : (second, first);
            appMs.Add(a.Ms);
            ownerMs.Add(b.Ms);
            if (a.Json != b.Json)
            {
                throw new InvalidOperationException($"{query.Name}, run {i}: the app role's result differs from the owner's.\n  app:   {Cut(a.Json)}\n  owner: {Cut(b.Json)}");
            }
        }

        return new Figures(query.Name, query.Production, query.Runs, P(appMs, 50), P(appMs, 95), P(ownerMs, 50), P(ownerMs, 95));
    }

    private static async Task<(double Ms, string Json)> TimedAsync(ServiceProvider side, HotQuery query, int i)
    {
        var watch = Stopwatch.StartNew();
        var result = await query.Run(side, i);
        var ms = watch.Elapsed.TotalMilliseconds;
        return (ms, JsonSerializer.Serialize(result, Json));
    }

    /// <summary>One unit of work as the app runs it: a fresh DI scope and context, one transaction in the given scope.</summary>
    private static async Task<object?> InScopeAsync<T>(ServiceProvider provider, Action<DbScope> enter, Func<IServiceProvider, VoiceAgentDb, Task<T>> work)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(enter, () => work(scope.ServiceProvider, db));
    }

    /// <summary>
    /// The two sides differ where they should: in the busiest tenant's scope, with the query filters switched off, the app
    /// role still sees only that tenant's calls (row-level security alone isolates it) and the owner sees every call.
    /// </summary>
    private static async Task CheckSidesAsync(ServiceProvider app, ServiceProvider owner, PortalData data)
    {
        var tenant = data.Calls.GroupBy(c => c.Tenant).MaxBy(g => g.Count())!;
        var id = data.Tenants[tenant.Key];
        var seen = (int)(await InScopeAsync(app, s => s.UseTenant(id), (_, db) => db.Calls.IgnoreQueryFilters().CountAsync()))!;
        var all = (int)(await InScopeAsync(owner, s => s.UseTenant(id), (_, db) => db.Calls.IgnoreQueryFilters().CountAsync()))!;
        if (seen != tenant.Count() || all != data.Calls.Count)
        {
            throw new InvalidOperationException(
                $"Sides not as expected: the app role sees {seen} calls (its tenant has {tenant.Count()}), the owner {all} (seeded {data.Calls.Count}).");
        }
    }

    /// <summary>
    /// Two active numbers per tenant (+4930…, +4989…, bound to its flow) and a released earlier binding of each +4930 number
    /// to the next tenant (a number's history), as the schema owner. Returns the numbers to route, every tenth unknown.
    /// </summary>
    private static async Task<List<string>> SeedNumbersAsync(string ownerConnectionString)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using (var cmd = new NpgsqlCommand("""
            WITH t AS (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM tenants)
            INSERT INTO phone_numbers (id, tenant_id, number, provider, flow_id, bound_at, released_at)
            SELECT gen_random_uuid(), t.id, '+4930' || lpad(t.n::text, 7, '0'), 'twilio', t.id, now() - interval '300 days', NULL::timestamptz FROM t
            UNION ALL
            SELECT gen_random_uuid(), t.id, '+4989' || lpad(t.n::text, 7, '0'), 'twilio', t.id, now() - interval '200 days', NULL FROM t
            UNION ALL
            SELECT gen_random_uuid(), o.id, '+4930' || lpad(t.n::text, 7, '0'), 'twilio', o.id, now() - interval '900 days', now() - interval '300 days'
              FROM t JOIN t o ON o.n = t.n % t.total + 1
            """, connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await using (var cmd = new NpgsqlCommand("VACUUM ANALYZE phone_numbers", connection))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var numbers = new List<string>();
        await using (var cmd = new NpgsqlCommand("SELECT number FROM phone_numbers WHERE released_at IS NULL ORDER BY number", connection))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (numbers.Count % 10 == 9)
                {
                    numbers.Add("+4969" + numbers.Count.ToString("0000000", CultureInfo.InvariantCulture));
                }

                numbers.Add(reader.GetString(0));
            }
        }

        return numbers;
    }

    private static string Report(List<Figures> results, int tenants, int calls, int invoices, bool quick)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"B6 cost of isolation: {tenants:N0} tenants, {calls:N0} calls, {invoices:N0} invoices{(quick ? " (quick: equivalence only, figures meaningless)" : "")}");
        text.AppendLine();
        text.AppendLine("| Query | Production runs it as | Runs | app p50 | app p95 | owner p50 | owner p95 | p50 ratio | p95 ratio |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Production} | {r.Runs} | {r.AppP50:0.000} ms | {r.AppP95:0.000} ms | {r.OwnerP50:0.000} ms | {r.OwnerP95:0.000} ms | {r.Ratio:0.00}× | {r.AppP95 / r.OwnerP95:0.00}× |");
        }

        var max = results.MaxBy(r => r.Ratio)!;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"B6 rls/owner max = {max.Ratio:0.00}× ({max.Name}), all ≤ {Target:0.00}×: {(results.All(r => r.Ratio <= Target) ? "yes" : "no")}");
        return text.ToString();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static string Cut(string json) => json.Length <= 400 ? json : json[..400] + " …";

    private static double P(List<double> values, double percentile) => Percentiles.Of(values.Order().ToArray(), percentile);
}
