using System.Collections.Specialized;
using System.Globalization;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl;
using Quartz.Logging;
using VoiceAgent.Platform.Billing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Web.Billing;

/// <summary>
/// The Quartz.NET scheduler of this instance: ADO job store on PostgreSQL (qrtz_ tables), clustered, so with several app
/// instances a trigger fires on exactly one of them (row locks in qrtz_locks) and a job of a dead instance is recovered
/// by another. Jobs: the monthly billing run (cron, default 02:00 on the 1st, Europe/Berlin) and the Lexoffice retry.
/// </summary>
public sealed class BillingScheduler(
    IOptions<BillingOptions> billing,
    IOptions<DatabaseOptions> database,
    DiJobFactory jobFactory,
    ILoggerFactory loggerFactory,
    ILogger<BillingScheduler> logger) : BackgroundService
{
    public const string SchedulerName = "VoiceAgent";
    public static readonly JobKey MonthlyJob = new("monthly-billing", "billing");
    public static readonly TriggerKey MonthlyTrigger = new("monthly-billing", "billing");
    public static readonly JobKey LexofficeRetryJob = new("lexoffice-retry", "billing");
    public static readonly TriggerKey LexofficeRetryTrigger = new("lexoffice-retry", "billing");

    private static readonly TimeSpan RetryStartAfter = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IScheduler? scheduler;

    /// <summary>Completes once this instance's scheduler runs (never, when it is disabled).</summary>
    public Task WhenStarted => started.Task;

    /// <summary>For /api/health: operational, down (could not start, retrying) or not_configured (disabled).</summary>
    public string Status { get; private set; } = "down";

    public IScheduler? Scheduler => scheduler;

    /// <summary>Why the last start failed (for the log and tests; not shown by the health endpoint).</summary>
    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!billing.Value.Scheduler.Enabled)
        {
            Status = "not_configured";
            return;
        }

        LogContext.SetCurrentLogProvider(loggerFactory);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                scheduler = await CreateAsync(stoppingToken);
                await EnsureJobsAsync(scheduler, stoppingToken);
                await scheduler.Start(stoppingToken);
                Status = "operational";
                started.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever went wrong (database down, schema missing), the app keeps serving; the scheduler tries again.
                logger.LogError(ex, "Billing scheduler could not start; retrying in {Delay}", RetryStartAfter);
                Status = "down";
                LastError = ex.GetType().Name + ": " + ex.Message;
                if (scheduler is not null)
                {
                    await scheduler.Shutdown(false, CancellationToken.None);
                    scheduler = null;
                }

                try
                {
                    await Task.Delay(RetryStartAfter, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (scheduler is not null)
        {
            // Let a running billing job finish its current tenant transaction; it is idempotent if it is cut short.
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
            Status = "down";
        }
    }

    /// <summary>
    /// A one-off run of a period through the scheduler (it fires on whichever instance acquires it first).
    /// The trigger key names the period, so scheduling the same period twice before it fired is refused.
    /// </summary>
    public async Task<TriggerKey> ScheduleOnceAsync(string period, DateTimeOffset at, bool finalize, CancellationToken ct = default)
    {
        var running = scheduler ?? throw new InvalidOperationException("The billing scheduler is not running.");
        var trigger = TriggerBuilder.Create()
            .WithIdentity($"run-{period}", "billing-once")
            .ForJob(MonthlyJob)
            .UsingJobData(MonthlyBillingJob.PeriodKey, period)
            .UsingJobData(MonthlyBillingJob.FinalizeKey, finalize ? "true" : "false")
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireHandlingInstructionFireNow())
            .Build();
        await running.ScheduleJob(trigger, ct);
        return trigger.Key;
    }

    private async Task<IScheduler> CreateAsync(CancellationToken ct)
    {
        var options = billing.Value.Scheduler;
        var properties = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = SchedulerName,
            ["quartz.scheduler.instanceId"] = $"{Environment.MachineName}-{Guid.NewGuid():N}",
            ["quartz.scheduler.idleWaitTime"] = ((long)options.IdleWaitTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ["quartz.threadPool.maxConcurrency"] = "2",
            ["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz",
            ["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz",
            ["quartz.jobStore.tablePrefix"] = "qrtz_",
            ["quartz.jobStore.dataSource"] = "default",
            ["quartz.jobStore.clustered"] = "true",
            ["quartz.jobStore.clusterCheckinInterval"] = ((long)options.ClusterCheckinInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ["quartz.jobStore.useProperties"] = "true",
            ["quartz.jobStore.misfireThreshold"] = "60000",
            ["quartz.dataSource.default.provider"] = "Npgsql",
            ["quartz.dataSource.default.connectionString"] = database.Value.AppConnectionString,
            ["quartz.serializer.type"] = typeof(QuartzJsonSerializer).AssemblyQualifiedName,
        };
        var created = await new StdSchedulerFactory(properties).GetScheduler(ct);
        // Quartz keeps schedulers in a process-wide registry by name and would hand a second host in the same process
        // (integration tests run two instances side by side) this one; each host keeps its own reference instead.
        SchedulerRepository.Instance.Remove(created.SchedulerName, created.SchedulerInstanceId);
        created.JobFactory = jobFactory;
        return created;
    }

    private async Task EnsureJobsAsync(IScheduler target, CancellationToken ct)
    {
        var options = billing.Value.Scheduler;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);

        var monthly = JobBuilder.Create<MonthlyBillingJob>().WithIdentity(MonthlyJob).StoreDurably().RequestRecovery()
            .WithDescription("Monthly billing run (previous month)").Build();
        var cron = TriggerBuilder.Create().WithIdentity(MonthlyTrigger).ForJob(MonthlyJob)
            .WithCronSchedule(options.MonthlyCron, c => c.InTimeZone(zone).WithMisfireHandlingInstructionFireAndProceed())
            .Build();
        await EnsureAsync(target, monthly, cron, existing =>
            existing is ICronTrigger c && c.CronExpressionString == options.MonthlyCron && c.TimeZone.Id == zone.Id, ct);

        var retry = JobBuilder.Create<LexofficeRetryJob>().WithIdentity(LexofficeRetryJob).StoreDurably()
            .WithDescription("Retries Lexoffice transmissions that failed or were interrupted").Build();
        var every = TriggerBuilder.Create().WithIdentity(LexofficeRetryTrigger).ForJob(LexofficeRetryJob)
            .StartAt(DateTimeOffset.UtcNow.Add(options.LexofficeRetryInterval))
            .WithSimpleSchedule(s => s.WithInterval(options.LexofficeRetryInterval).RepeatForever().WithMisfireHandlingInstructionNextWithRemainingCount())
            .Build();
        await EnsureAsync(target, retry, every, existing =>
            existing is ISimpleTrigger s && s.RepeatInterval == options.LexofficeRetryInterval, ct);
    }

    // Every instance does this at start; the first stores job and trigger, the others find them (or replace a trigger whose
    // schedule was changed in the configuration).
    private static async Task EnsureAsync(IScheduler target, IJobDetail job, ITrigger trigger, Func<ITrigger, bool> isCurrent, CancellationToken ct)
    {
        var existing = await target.GetTrigger(trigger.Key, ct);
        if (existing is not null && isCurrent(existing) && await target.CheckExists(job.Key, ct))
        {
            return;
        }

        try
        {
            await target.ScheduleJob(job, [trigger], replace: true, ct);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another instance stored them at the same moment.
        }
    }
}
