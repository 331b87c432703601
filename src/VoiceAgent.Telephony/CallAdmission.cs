using Microsoft.Extensions.Options;
using Npgsql;
using VoiceAgent.Telephony.Calls;

namespace VoiceAgent.Telephony;

/// <summary>
/// Load shedding for new calls (Twilio voice webhook, sipgate newCall): at most
/// <see cref="TelephonyOptions.MaxConcurrentCallSetups"/> set-ups run at once, later arrivals wait up to
/// <see cref="TelephonyOptions.CallSetupWait"/>. A caller who cannot be admitted — or whose set-up hits an exhausted or
/// unreachable database — is told politely that all lines are busy; nothing is stored and nothing is billed. Calls
/// already in progress are never shed. The gate runs after the provider's request check (Twilio signature, sipgate push
/// guard): an unsigned or forged request never takes a slot.
/// </summary>
public sealed class CallAdmission(IOptions<TelephonyOptions> options, ILogger<CallAdmission> logger, CallTelemetry telemetry)
{
    private readonly SemaphoreSlim slots = new(Math.Max(1, options.Value.MaxConcurrentCallSetups));

    /// <summary>Runs <paramref name="setup"/> in a slot; <paramref name="busy"/> when no slot frees up in time or the database is overloaded.</summary>
    public async Task<T> RunAsync<T>(string provider, Func<Task<T>> setup, Func<T> busy, CancellationToken ct)
    {
        if (!await slots.WaitAsync(options.Value.CallSetupWait, ct))
        {
            return Shed(provider, "no set-up slot", busy);
        }

        try
        {
            return await setup();
        }
        catch (Exception ex) when (IsDatabaseUnavailable(ex) && !ct.IsCancellationRequested)
        {
            logger.LogWarning("New {Provider} call turned away, database overloaded or unreachable: {Message}", provider, ex.Message);
            return Shed(provider, "database", busy);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// A new call whose set-up failed before it reached the gate (its webhook's credentials could not be read) because the
    /// database is overloaded: <paramref name="busy"/>, counted and logged like a call shed inside the gate.
    /// </summary>
    public T Overloaded<T>(string provider, Exception ex, Func<T> busy)
    {
        logger.LogWarning("New {Provider} call turned away, database overloaded or unreachable: {Message}", provider, ex.Message);
        return Shed(provider, "database", busy);
    }

    private T Shed<T>(string provider, string reason, Func<T> busy)
    {
        telemetry.Shed(provider, reason);
        return busy();
    }

    // Pool exhausted (Npgsql times out waiting for a connection: NpgsqlException with an inner TimeoutException),
    // PostgreSQL refusing connections (53300 too_many_connections, 57P03 cannot_connect_now) or a statement timeout under
    // load (57014); and PostgreSQL gone for a moment (restart, failover: connection refused or broken, 57P01/57P02
    // shutdown, class 08) — everything Npgsql calls transient. EF Core may wrap any of them.
    internal static bool IsDatabaseUnavailable(Exception ex) => ex switch
    {
        PostgresException { SqlState: "53300" or "57P03" or "57014" or "57P01" or "57P02" } => true,
        PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal) => true,
        NpgsqlException { InnerException: TimeoutException } => true,
        NpgsqlException { IsTransient: true } => true,
        { InnerException: { } inner } => IsDatabaseUnavailable(inner),
        _ => false,
    };
}
