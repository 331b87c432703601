using System.ComponentModel.DataAnnotations;
using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Platform.Jobs;

/// <summary>Hangfire on this instance (section <c>Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Run a Hangfire server (workers, schedulers) in this process. Off: this instance only enqueues.</summary>
    public bool RunServer { get; set; } = true;

    [Range(1, 64)]
    public int WorkerCount { get; set; } = 4;

    /// <summary>How often due scheduled/recurring jobs are looked for, and idle workers poll (enqueues wake them at once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Hangfire with its PostgreSQL storage in our database (schema <c>hangfire</c>, installed by <c>voiceagent db migrate</c>,
/// never at start-up), a server on every instance, the recurring jobs and the dashboard at <see cref="DashboardPath"/>.
/// </summary>
public static class JobsSetup
{
    public const string DashboardPath = "/admin/jobs";

    public static void AddJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().Bind(builder.Configuration.GetSection(JobsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        // The storage is this host's own (not Hangfire's static JobStorage.Current), so two hosts in one process stay apart.
        services.AddSingleton<JobStorage>(sp =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = DatabaseMigrator.HangfireSchema,
                PrepareSchemaIfNecessary = false,
                EnableLongPolling = true,
                QueuePollInterval = jobs.PollInterval,
                UseSlidingInvisibilityTimeout = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.AppConnectionString, options), options);
        });
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (builder.Configuration.GetValue(JobsOptions.Section + ":" + nameof(JobsOptions.RunServer), true))
        {
            services.AddHangfireServer((sp, server) =>
            {
                var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                server.WorkerCount = jobs.WorkerCount;
                server.SchedulePollingInterval = jobs.PollInterval;
                server.ShutdownTimeout = TimeSpan.FromSeconds(30);
                // This host's filters beside the global ones (GlobalJobFilters is static: two hosts in one process stay apart).
                var own = new JobFilterCollection { sp.GetRequiredService<JobTelemetry>() };
                server.FilterProvider = new JobFilterProviderCollection(server.FilterProvider ?? JobFilterProviders.Providers, own);
            });
        }

        services.AddSingleton<JobTelemetry>();

        services.AddHostedService<RecurringJobsSetup>();
        services.AddSingleton<IRecurringJobs, MailRecurringJobs>();
        services.AddSingleton<JobsHealth>();
    }

    /// <summary>
    /// The dashboard: anonymous visitors are sent to the login page (the endpoint needs a signed-in user), signed-in users
    /// who are not the super-admin get 403 from the dashboard's filter.
    /// </summary>
    public static void MapJobsDashboard(this WebApplication app)
    {
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
            {
                Authorization = [new SuperAdminDashboardFilter()],
                AppPath = "/admin",
                DashboardTitle = "VoiceAgent – Jobs",
                DisplayStorageConnectionString = false,
            })
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser())
            .WithMetadata(new NoTenantScopeAttribute());
    }

    private sealed class SuperAdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsSuperAdmin();
    }
}
