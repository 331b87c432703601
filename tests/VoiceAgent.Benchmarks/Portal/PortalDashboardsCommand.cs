using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Platform;
using VoiceAgent.Testing;
using VoiceAgent.Web.Dashboards;

namespace VoiceAgent.Benchmarks.Portal;

/// <summary>
/// <c>dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- portal [--tenants 500] [--calls 100000] [--invoices 2000] [--runs 50] [--quick]</c>:
/// seeds portal-sized data (<see cref="PortalDataSeeder"/>) into a private PostgreSQL and runs the two dashboard queries
/// as the app in production would (app role, row-level security on, one transaction in platform or tenant scope): the
/// admin dashboard <c>--runs</c> times, the tenant dashboard once per tenant. Reports p50/p95 in ms (target p95 ≤ 200 ms)
/// and checks that the figures agree with what was seeded and with each other (Σ tenant dashboards = admin dashboard).
/// <c>--quick</c> (the smoke run): 5 tenants, 500 calls, 20 invoices, 3 admin runs; only the checks matter there.
/// </summary>
internal static class PortalDashboardsCommand
{
    public const double TargetP95Ms = 200;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter? log = null)
    {
        var quick = args.Contains("--quick");
        var tenants = CommandArgs.Int(args, "--tenants", quick ? 5 : 500);
        var calls = CommandArgs.Int(args, "--calls", quick ? 500 : 100_000);
        var invoices = CommandArgs.Int(args, "--invoices", quick ? 20 : 2_000);
        var runs = CommandArgs.Int(args, "--runs", quick ? 3 : 50);
        log ??= Console.Out;

        log.WriteLine("Starting a private PostgreSQL …");
        await using var database = await PostgresServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        log.WriteLine($"Seeding {tenants:N0} tenants, {calls:N0} calls (60 days), {invoices:N0} invoices …");
        var seeding = Stopwatch.StartNew();
        var data = await PortalDataSeeder.SeedAsync(database.OwnerConnectionString, now, tenants, calls, invoices);
        log.WriteLine($"  seeded in {seeding.Elapsed.TotalSeconds:0.0} s");

        await using var provider = Services(database, now);

        // Warm-up (JIT, plans, pools), then the measured runs.
        var admin = await AdminAsync(provider);
        await TenantAsync(provider, data.Tenants[0]);
        var adminMs = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            admin = await AdminAsync(provider);
            adminMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        var tenantMs = new List<double>();
        var boards = new List<TenantDashboard>();
        foreach (var tenant in data.Tenants)
        {
            var sw = Stopwatch.StartNew();
            boards.Add(await TenantAsync(provider, tenant));
            tenantMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        Check(data, admin, boards, now);
        var report = new[]
        {
            Line("admin dashboard", adminMs),
            Line($"tenant dashboard (each of {tenants} tenants)", tenantMs),
        };
        foreach (var line in report)
        {
            log.WriteLine(line);
        }

        log.WriteLine($"Figures consistent: {admin.Calls.Last30Days:N0} calls in 30 days, {admin.MinutesThisMonth.TotalSeconds / 60:N0} min this month, " +
                      $"open invoices {admin.OpenInvoices.Count}.");
        if (!quick && (P(adminMs, 95) > TargetP95Ms || P(tenantMs, 95) > TargetP95Ms))
        {
            log.WriteLine($"p95 above the target of {TargetP95Ms} ms.");
        }

        return 0;
    }

    /// <summary>
    /// The figures against the seeded rows (bucketed here with .NET's zone data, independently of PostgreSQL's) and the
    /// tenants' dashboards summed against the admin's. Throws on the first disagreement.
    /// </summary>
    private static void Check(PortalData data, AdminDashboard admin, List<TenantDashboard> boards, DateTimeOffset now)
    {
        static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, BusinessTime.ZoneInfo).DateTime);
        var today = Day(now);
        var firstDay = today.AddDays(1 - DashboardClock.ChartDays);
        var monthStart = new DateOnly(today.Year, today.Month, 1);

        var expectedPerDay = data.Calls.Where(c => Day(c.StartedAt) >= firstDay).GroupBy(c => Day(c.StartedAt)).ToDictionary(g => g.Key, g => g.Count());
        Require(admin.CallsPerDay.All(d => d.Calls == expectedPerDay.GetValueOrDefault(d.Day)), "admin calls per day = seeded calls per Berlin day");
        Require(admin.Calls.Last30Days == expectedPerDay.Values.Sum(), "admin 30-day calls = seeded");
        var thisMonth = data.Calls.Where(c => Day(c.StartedAt) >= monthStart).ToList();
        Require(admin.MinutesThisMonth == new UsageSeconds(thisMonth.Sum(c => (long)c.BotSeconds), thisMonth.Sum(c => (long)c.ForwardSeconds)),
            "admin minutes this month = seeded usage");

        for (var i = 0; i < admin.CallsPerDay.Count; i++)
        {
            Require(boards.Sum(b => b.CallsPerDay[i].Calls) == admin.CallsPerDay[i].Calls, $"Σ tenant calls on {admin.CallsPerDay[i].Day} = admin");
        }

        Require(boards.Sum(b => b.Usage.BotSeconds) == admin.MinutesThisMonth.BotSeconds, "Σ tenant bot seconds = admin");
        Require(boards.Sum(b => b.Usage.ForwardSeconds) == admin.MinutesThisMonth.ForwardSeconds, "Σ tenant forward seconds = admin");
        Require(boards.Sum(b => b.CallsThisMonth) == thisMonth.Count, "Σ tenant calls this month = seeded");
        Require(boards.All(b => b.BookingConversion.Booked <= b.BookingConversion.Asked && b.BookingConversion.Asked <= b.CallsThisMonth),
            "booked ≤ asked ≤ calls");
        Require(boards.All(b => b.Latency.Turns == 0 || b.Latency.MeanMs is >= 200 and < 1500 && b.Latency.P95Ms is >= 200 and < 1500),
            "latencies within the seeded range");
        Require(admin.TenantsByStatus.Values.Sum() == data.Tenants.Count, "tenants by status add up");
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Inconsistent dashboard figures: {what} does not hold.");
        }
    }

    private static ServiceProvider Services(PostgresServer database, DateTimeOffset now) => Services(database.AppConnectionString, now);

    /// <summary>
    /// The platform's and the dashboards' services as the app registers them, connecting with <paramref name="connectionString"/>
    /// (the app role in production; the rls benchmark also builds one for the schema owner and changes the model through
    /// <paramref name="configure"/>), with the clock fixed at <paramref name="now"/>.
    /// </summary>
    internal static ServiceProvider Services(string connectionString, DateTimeOffset now, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:AppConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddVoiceAgentPlatform(configuration)
            .AddDashboards();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        // The app's Hangfire storage (as JobsSetup builds it), for the failed-job count; no server runs here.
        services.AddSingleton<JobStorage>(_ =>
        {
            var options = new PostgreSqlStorageOptions { SchemaName = DatabaseMigrator.HangfireSchema, PrepareSchemaIfNecessary = false };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        });
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static async Task<AdminDashboard> AdminAsync(ServiceProvider provider)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = scope.ServiceProvider.GetRequiredService<AdminDashboardQuery>();
        return await db.InScopeAsync(s => s.UsePlatform(), () => query.LoadAsync(default));
    }

    private static async Task<TenantDashboard> TenantAsync(ServiceProvider provider, Guid tenantId)
    {
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = scope.ServiceProvider.GetRequiredService<TenantDashboardQuery>();
        return await db.InScopeAsync(s => s.UseTenant(tenantId), () => query.LoadAsync(default));
    }

    private static double P(List<double> values, double percentile) => Percentiles.Of(values.Order().ToArray(), percentile);

    private static string Line(string name, List<double> values) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {values.Count} | {P(values, 50):0.0} ms | {P(values, 95):0.0} ms | {values.Max():0.0} ms |");
}
