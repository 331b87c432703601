using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform;

public static class PlatformServiceCollectionExtensions
{
    /// <summary>The shared kernel: data access, identity stores, data protection, mail, settings and tenancy, for the web host and the CLI.
    /// Feature modules add themselves after it (<c>AddTelephony()</c>, <c>AddCallFlows()</c>, …).</summary>
    public static IServiceCollection AddVoiceAgentPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OpenAiOptions>().Bind(configuration.GetSection(OpenAiOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddProviderConnectionCheck<OpenAiConnectionCheck>();
        services.AddHttpClient<IWebhookClient, GuardedWebhookClient>()
            .ConfigurePrimaryHttpMessageHandler(GuardedWebhookClient.CreateHandler)
            .AddHttpMessageHandler(() => new GuardedRedirectHandler(requireHttps: true));

        services.AddSingleton(TimeProvider.System);
        // The modules' meters come from IMeterFactory; the web host has it already, the CLI gets it here (no listener: no cost).
        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            // The name labels the pool's metrics (db.client.connection.pool.name), instead of the connection string.
            var builder = new NpgsqlDataSourceBuilder(database.AppConnectionString) { Name = "voiceagent" };
            if (!database.AppConnectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase))
            {
                builder.ConnectionStringBuilder.MaxPoolSize = database.MaxPoolSize;
            }

            return builder.Build();
        });

        services.AddScoped<DbScope>();
        services.AddScoped<RlsTransactionInterceptor>();
        services.AddScoped<MailOutboxDispatch>();
        services.AddScoped<MailOutboxInterceptor>();
        services.AddDbContext<VoiceAgentDb>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .AddInterceptors(sp.GetRequiredService<RlsTransactionInterceptor>(), sp.GetRequiredService<MailOutboxInterceptor>()));

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = string.Empty; // user names are e-mail addresses, validated by RegistrationValidator
                o.Password.RequiredLength = RegistrationValidator.MinPasswordLength;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireDigit = true;
                // Identity's own lockout locks the whole account, so it counts only wrong second-factor codes (sent by someone who
                // knows the password: brute force of a six-digit code must stop). Wrong passwords never reach it
                // (lockoutOnFailure: false); they are counted per account and client address by SignInThrottles.
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<VoiceAgentDb>()
            .AddErrorDescriber<GermanIdentityErrorDescriber>()
            .AddDefaultTokenProviders();

        var dataProtection = services.AddDataProtection().SetApplicationName("VoiceAgent");
        services.AddKeyRingProtection(dataProtection, configuration);
        services.AddSingleton<PostgresXmlRepository>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<PostgresXmlRepository>((o, repository) => o.XmlRepository = repository);

        services.AddSingleton<Mailer>();
        services.AddScoped<MailOutbox>();
        services.AddScoped<MailJobs>();
        services.AddSingleton<DatabaseMigrator>();
        services.AddOptions<SignInThrottleOptions>().Bind(configuration.GetSection(SignInThrottleOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<SignInThrottles>();
        services.AddScoped<AccountSecurity>();
        services.AddScoped<TenantService>();
        services.AddSingleton<SettingsCache>();
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IRedisHealth>(sp => sp.GetRequiredService<RedisConnection>());
        services.AddSingleton<ClusterEvents>();
        services.AddSingleton<IClusterEvents>(sp => sp.GetRequiredService<ClusterEvents>());
        services.AddSingleton<ClusterEventsListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterEventsListener>());
        services.AddScoped<SettingsStore>();
        services.AddScoped<DevSeeder>();
        return services;
    }
}
