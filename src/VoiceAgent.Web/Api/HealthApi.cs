using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Web.Api;

public static class HealthApi
{
    public const string Operational = "operational";
    public const string Degraded = "degraded";
    public const string NotConfigured = "not_configured";
    public const string Down = "down";

    public sealed record HealthReport(string Status, string Database, string Scheduler, IReadOnlyDictionary<string, string> Providers);

    public static void MapHealthApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/health", GetHealth)
            .WithName("GetHealth").WithTags("Health")
            .WithMetadata(new NoTenantScopeAttribute())
            .AllowAnonymous();

    // Provider keys are platform-wide and not tenant-owned; the health check reads only which ones exist, never values.
    internal static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetHealth([AsParameters] HealthApiServices services,
        CancellationToken ct)
    {
        var report = await CheckAsync(services, ct);
        return report.Database == Down
            ? TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(report);
    }

    /// <summary>
    /// The check behind /api/health (database, scheduler, provider states), also shown as the admin dashboard's provider
    /// tiles (<see cref="Dashboards.ProviderHealthTiles"/>). Database down = <see cref="Degraded"/> with every provider not configured.
    /// </summary>
    public static async Task<HealthReport> CheckAsync(HealthApiServices services, CancellationToken ct)
    {
        HashSet<string>? configured = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var cmd = services.DataSource.CreateCommand("SELECT key FROM provider_settings");
            await using var reader = await cmd.ExecuteReaderAsync(timeout.Token);
            configured = [];
            while (await reader.ReadAsync(timeout.Token))
            {
                configured.Add(reader.GetString(0));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            configured = null;
        }

        var providers = ProviderKeys.Providers.ToDictionary(p => p, p =>
            configured is not null && ProviderKeys.All.Where(d => d.Provider == p).All(d => configured.Contains(d.Key))
                ? Operational
                : NotConfigured);
        if (configured is not null && providers["twilio"] == Operational)
        {
            // Configured is not enough for Twilio: a cheap authenticated call says whether the credentials work.
            providers["twilio"] = await services.Twilio.StatusAsync(ct);
        }

        if (configured is not null && providers["stripe"] == Operational)
        {
            // Likewise Stripe: GET /v1/balance with the secret key; only the word goes out, never Stripe's message.
            providers["stripe"] = await services.Stripe.StatusAsync(ct);
        }

        return configured is null
            ? new HealthReport(Degraded, Down, NotConfigured, providers)
            : new HealthReport(Operational, Operational, services.Jobs.Status(), providers);
    }
}

/// <summary>What the health check reads, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record HealthApiServices(NpgsqlDataSource DataSource, Telephony.TwilioHealth Twilio, Billing.Stripe.StripeHealth Stripe,
    Platform.Jobs.JobsHealth Jobs);
