using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangfire.Common;
using Hangfire.Server;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Platform.Jobs;

/// <summary>
/// Hangfire has no OpenTelemetry instrumentation of its own (none is served here): this server filter gives every job run a
/// span (its database commands become children) and counts runs by job and outcome, with their duration. The job tag is
/// the job's class and method (<c>LexofficeJob.SendAsync</c>), never its arguments. A failed attempt that Hangfire retries
/// counts as failed each time.
/// </summary>
public sealed class JobTelemetry : JobFilterAttribute, IServerFilter
{
    public const string Name = Telemetry.Prefix + "Jobs";

    private static readonly ActivitySource Source = new(Name);
    private const string ActivityItem = "voiceagent.activity";
    private const string StartedItem = "voiceagent.started";

    private readonly TimeProvider time;
    private readonly Counter<long> runs;
    private readonly Histogram<double> duration;

    public JobTelemetry(IMeterFactory meters, TimeProvider time)
    {
        this.time = time;
        var meter = meters.Create(Name);
        runs = meter.CreateCounter<long>("voiceagent.jobs.executed", description: "Hangfire job runs by job and outcome (succeeded, failed)");
        duration = meter.CreateHistogram("voiceagent.jobs.duration", unit: "s", description: "Duration of Hangfire job runs",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    public void OnPerforming(PerformingContext context)
    {
        var activity = Source.StartActivity("hangfire.job " + JobName(context.BackgroundJob.Job));
        activity?.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        context.Items[ActivityItem] = activity;
        context.Items[StartedItem] = time.GetTimestamp();
    }

    public void OnPerformed(PerformedContext context)
    {
        var job = JobName(context.BackgroundJob.Job);
        var failed = context.Exception is not null && !context.ExceptionHandled;
        var outcome = new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded");
        var name = new KeyValuePair<string, object?>("job", job);
        runs.Add(1, name, outcome);
        if (context.Items.TryGetValue(StartedItem, out var started) && started is long start)
        {
            duration.Record(time.GetElapsedTime(start).TotalSeconds, name, outcome);
        }

        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, context.Exception!.GetType().Name);
            }

            activity.Stop();
        }
    }

    private static string JobName(Job? job) => job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
}
