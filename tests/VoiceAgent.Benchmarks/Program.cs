using BenchmarkDotNet.Running;
using VoiceAgent.Benchmarks;

// Without arguments every benchmark runs; any BenchmarkDotNet arguments (--filter, --job, --list flat …) pass through.
var steps = Equivalence.CheckAndCountSteps();
Console.WriteLine($"Engine and hand-written baseline are equivalent; the engine runs {steps} steps per booking call.");
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
return PerStepReport.Write(summaries, steps);
