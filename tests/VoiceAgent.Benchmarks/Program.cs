using BenchmarkDotNet.Running;
using VoiceAgent.Benchmarks;
using VoiceAgent.Benchmarks.Load;

// `load [--quick]` runs the load drivers (streams, webhooks) instead of BenchmarkDotNet; see README.md.
if (args is ["load", .. var loadArgs])
{
    return await LoadCommand.RunAsync(loadArgs);
}

// `billing [--rows N]` measures the monthly run's usage aggregation against a raw GROUP BY; see README.md.
if (args is ["billing", .. var billingArgs])
{
    return await VoiceAgent.Benchmarks.Billing.BillingAggregationCommand.RunAsync(billingArgs);
}

// `portal [--quick]` seeds portal-sized data and measures the two dashboard queries (p50/p95); see README.md.
if (args is ["portal", .. var portalArgs])
{
    return await VoiceAgent.Benchmarks.Portal.PortalDashboardsCommand.RunAsync(portalArgs);
}

// `portal-pages [--quick]` hosts the real app on portal-sized data and times every page in Chromium, then memory per circuit; see README.md.
if (args is ["portal-pages", .. var pagesArgs])
{
    return await VoiceAgent.Benchmarks.Portal.PortalPagesCommand.RunAsync(pagesArgs);
}

// `designer [--quick]` opens the flow designer with a 300-node flow in Chromium: time to interactive, property edit → canvas, heap; see README.md.
if (args is ["designer", .. var designerArgs])
{
    return await VoiceAgent.Benchmarks.Designer.DesignerCommand.RunAsync(designerArgs);
}

// `latency [--quick] [--profile file] [--calls N] [--turns N]`: B5 mouth-to-ear, streaming against the sequential pipeline; see README.md.
if (args is ["latency", .. var latencyArgs])
{
    return await VoiceAgent.Benchmarks.Latency.LatencyCommand.RunAsync(latencyArgs);
}

// `rls [--quick]`: B6, the hot queries as the app role (row-level security, query filters) against the owner without them; see README.md.
if (args is ["rls", .. var rlsArgs])
{
    return await VoiceAgent.Benchmarks.Isolation.RlsCommand.RunAsync(rlsArgs);
}

// `soak [--minutes N] [--streams N] [--gather-per-minute N] [--portal-users N] [--warmup-minutes M] [--quick]`: issue #18's
// soak against the local cluster (deploy/local/soak.sh): memory flat, no errors, latency within B3/B5; see README.md.
if (args is ["soak", .. var soakArgs])
{
    return await VoiceAgent.Benchmarks.Soak.SoakCommand.RunAsync(soakArgs);
}

// `smoke` runs every benchmark and load driver once, tiny and bounded, to prove they still work (CI runs it); see README.md.
if (args is ["smoke"])
{
    return await VoiceAgent.Benchmarks.Smoke.SmokeCommand.RunAsync();
}

// Without arguments every benchmark runs; any BenchmarkDotNet arguments (--filter, --job, --list flat …) pass through.
var steps = Equivalence.CheckAndCountSteps();
Console.WriteLine($"Engine and hand-written baseline are equivalent; the engine runs {steps} steps per booking call.");
var summaries = BenchmarkSwitcher.FromAssembly(typeof(ConversationBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
return PerStepReport.Write(summaries, steps);
