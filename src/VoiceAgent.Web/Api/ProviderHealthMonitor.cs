using System.Text.Json.Serialization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Security;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Api;

/// <summary>Configuration of <c>/api/health</c> (section "Health").</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long one provider's answer counts (at most a minute: health must not hammer the providers).</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long /api/health waits for a provider check before it reports "degraded" (timeout); the check goes
    /// on in the background and its answer is cached for the next request.</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most one provider check may take before it counts as a timeout.</summary>
    public TimeSpan CheckBudget { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One provider in the health report. <see cref="Reason"/> and <see cref="CheckedAt"/> are left out when empty.</summary>
public sealed record ProviderHealth(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? CheckedAt = null);

/// <summary>
/// The honest provider states behind <c>/api/health</c> and the admin dashboard's tiles: a provider is
/// <see cref="HealthStates.Operational"/> only after its connection check (<see cref="IProviderConnectionCheck"/>, an
/// authenticated call with the stored credentials) succeeded. One check per provider runs at a time, its answer is cached
/// for <see cref="HealthOptions.CacheFor"/> (and dropped at once when the stored key changes); a request waits at most
/// <see cref="HealthOptions.Wait"/>, so a hanging provider shows as degraded (timeout) while the endpoint still answers.
/// Reasons are our own words, never the provider's message, a key or an account name.
/// </summary>
public sealed class ProviderHealthMonitor(IServiceScopeFactory scopes, TimeProvider time, IOptions<HealthOptions> options,
    IStringLocalizer<DashboardTexts> texts, ILogger<ProviderHealthMonitor> logger)
{
    private readonly Dictionary<string, Entry> entries = [];

    private sealed record Result(ConnectionState? State, string? Detail, DateTimeOffset At);

    private sealed record Entry(string Fingerprint, Task<Result> Check);

    /// <summary>The state of <paramref name="provider"/>, whose stored keys are described by <paramref name="fingerprint"/>
    /// (names, hints and change times — a new key means a new check).</summary>
    public async Task<ProviderHealth> StatusAsync(string provider, string fingerprint, CancellationToken ct)
    {
        Entry entry;
        lock (entries)
        {
            var now = time.GetUtcNow();
            if (!entries.TryGetValue(provider, out entry!) || entry.Fingerprint != fingerprint
                || (entry.Check.IsCompleted && now - entry.Check.Result.At >= Min(options.Value.CacheFor, TimeSpan.FromSeconds(60))))
            {
                entry = new Entry(fingerprint, Task.Run(() => RunAsync(provider), CancellationToken.None));
                entries[provider] = entry;
            }
        }

        try
        {
            return Map(await entry.Check.WaitAsync(options.Value.Wait, time, ct));
        }
        catch (TimeoutException)
        {
            return new ProviderHealth(HealthStates.Degraded, texts["Health.Reason.Timeout"]);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<Result> RunAsync(string provider)
    {
        await using var scope = scopes.CreateAsyncScope();
        var check = scope.ServiceProvider.GetServices<IProviderConnectionCheck>().FirstOrDefault(c => c.Provider == provider);
        if (check is null)
        {
            return new Result(null, null, time.GetUtcNow());
        }

        using var budget = new CancellationTokenSource(options.Value.CheckBudget, time);
        try
        {
            var result = await check.CheckAsync(budget.Token);
            return new Result(result.State, result.Detail, time.GetUtcNow());
        }
        catch (OperationCanceledException)
        {
            return new Result(ConnectionState.Unreachable, "timeout", time.GetUtcNow());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A check must not throw for a provider's answer; one that does is reported (by type only) and counted as unreachable.
            logger.LogWarning("Health check of {Provider} failed: {Type}", provider, ex.GetType().Name);
            return new Result(ConnectionState.Unreachable, "network", time.GetUtcNow());
        }
    }

    private ProviderHealth Map(Result result) => result.State switch
    {
        null => new ProviderHealth(HealthStates.Configured),
        ConnectionState.Ok => new ProviderHealth(HealthStates.Operational, null, result.At),
        ConnectionState.NotConfigured => new ProviderHealth(HealthStates.NotConfigured),
        ConnectionState.Rejected => new ProviderHealth(HealthStates.Down, texts["Health.Reason.Rejected"], result.At),
        ConnectionState.Limited => new ProviderHealth(HealthStates.Degraded, texts["Health.Reason.Limited"], result.At),
        _ => new ProviderHealth(HealthStates.Degraded, Unreachable(result.Detail), result.At),
    };

    private string Unreachable(string? detail) => detail switch
    {
        "timeout" => texts["Health.Reason.Timeout"],
        "HTTP 429" => texts["Health.Reason.RateLimited"],
        { } d when d.StartsWith("HTTP 5", StringComparison.Ordinal) && d.Length >= 8 => texts["Health.Reason.ProviderError", d[..8]],
        { } d when d.StartsWith("HTTP ", StringComparison.Ordinal) && d.Length >= 8 => texts["Health.Reason.Unexpected", d[..8]],
        _ => texts["Health.Reason.Unreachable"],
    };
}
