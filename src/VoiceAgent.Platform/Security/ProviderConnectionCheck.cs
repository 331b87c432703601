using Microsoft.Extensions.DependencyInjection;

namespace VoiceAgent.Platform.Security;

/// <summary>What "Verbindung testen" found out about one provider's stored credentials.</summary>
public enum ConnectionState
{
    /// <summary>The provider accepted the credentials.</summary>
    Ok,

    /// <summary>A credential the check needs is not stored.</summary>
    NotConfigured,

    /// <summary>The provider refused the credentials (401/403, invalid_client, malformed key).</summary>
    Rejected,

    /// <summary>The credentials work, but not for everything we need (a restricted key lacking a permission, a model the key
    /// cannot use).</summary>
    Limited,

    /// <summary>No answer that says anything about the credentials: network error, timeout, 429 or 5xx.</summary>
    Unreachable,
}

/// <param name="Detail">A short, non-secret fact for the operator: an account or company name, an HTTP status, an OAuth error
/// code, a missing permission. Never a key, a token or the provider's free-text message.</param>
public sealed record ConnectionCheckResult(ConnectionState State, string? Detail = null)
{
    public static readonly ConnectionCheckResult NotConfigured = new(ConnectionState.NotConfigured);
}

/// <summary>
/// One provider's on-demand credential check, contributed by the module that talks to the provider (the settings page
/// asks every registered check by <see cref="Provider"/>). Unlike the health checks it is never cached: the operator asks
/// right after changing a key. Implementations bound their own time (<see cref="Budget"/>) and never throw for an answer
/// of the provider.
/// </summary>
public interface IProviderConnectionCheck
{
    /// <summary>The time one check may take before it reports <see cref="ConnectionState.Unreachable"/>.</summary>
    static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    /// <summary>The provider name of <see cref="ProviderKeys"/>, e.g. "twilio".</summary>
    string Provider { get; }

    Task<ConnectionCheckResult> CheckAsync(CancellationToken ct);
}

public static class ProviderConnectionChecks
{
    /// <summary>Registers a check (scoped: checks read the settings store of the request).</summary>
    public static IServiceCollection AddProviderConnectionCheck<TCheck>(this IServiceCollection services)
        where TCheck : class, IProviderConnectionCheck =>
        services.AddScoped<IProviderConnectionCheck, TCheck>();

    /// <summary>Runs <paramref name="check"/> within <see cref="IProviderConnectionCheck.Budget"/>; a timeout is "unreachable".</summary>
    public static async Task<ConnectionCheckResult> RunAsync(IProviderConnectionCheck check, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(IProviderConnectionCheck.Budget);
        try
        {
            return await check.CheckAsync(budget.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ConnectionCheckResult(ConnectionState.Unreachable, "timeout");
        }
        catch (HttpRequestException ex)
        {
            return new ConnectionCheckResult(ConnectionState.Unreachable, ex.StatusCode is { } status ? $"HTTP {(int)status}" : "network");
        }
    }

    /// <summary>The usual reading of an HTTP status for a credential check.</summary>
    public static ConnectionCheckResult FromStatus(int status) => status switch
    {
        401 or 403 => new ConnectionCheckResult(ConnectionState.Rejected, $"HTTP {status}"),
        _ => new ConnectionCheckResult(ConnectionState.Unreachable, $"HTTP {status}"),
    };
}
