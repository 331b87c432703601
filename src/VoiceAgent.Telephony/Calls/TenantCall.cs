using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The call a provider request is about, resolved once per request: its tenant and its row, read in that tenant's
/// row-level-security scope and locked for the rest of the request's transaction (so callbacks of one call take turns,
/// always locking the call before its flow session). Null in a handler means a call we never took.
/// </summary>
public sealed record TenantCall(Guid TenantId, Call Call)
{
    private static readonly object Key = new();

    /// <summary>The call <see cref="TenantCallFilter"/> resolved for this request.</summary>
    public static TenantCall? Of(HttpContext http) =>
        http.Items.TryGetValue(Key, out var call) ? call as TenantCall : throw new InvalidOperationException("The endpoint is not behind TenantCallFilter.");

    internal static void Set(HttpContext http, TenantCall? call) => http.Items[Key] = call;
}

/// <summary>Finds the call a request is about; every lookup runs inside the request's transaction.</summary>
public sealed class TenantCalls(VoiceAgentDb db)
{
    /// <summary>The request's transaction; the scope is set once the tenant is known.</summary>
    public Task<IDbContextTransaction> BeginAsync(CancellationToken ct)
    {
        db.Scope.Clear();
        return BeginTransactionAsync(ct);
    }

    /// <summary>
    /// Resolves a provider's call id: one <c>call_tenant()</c> lookup that also enters the tenant's scope for the rest of
    /// the transaction, then the call row under row-level security.
    /// </summary>
    public async Task<TenantCall?> FindAsync(string provider, string providerCallId, CancellationToken ct)
    {
        RequireTransaction();
        var tenantId = await db.Database.SqlQuery<Guid?>(
                $"SELECT nullif(set_config('app.tenant_id', coalesce(call_tenant({provider}, {providerCallId})::text, ''), true), '')::uuid AS \"Value\"")
            .SingleAsync(ct);
        if (tenantId is not { } tenant)
        {
            return null;
        }

        // The database already acts for the tenant (set_config above); the query filters follow the same scope.
        db.Scope.UseTenant(tenant);
        var call = await db.Calls.FromSqlInterpolated(
                $"SELECT * FROM calls WHERE provider = {provider} AND provider_call_id = {providerCallId} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        return call is null ? null : new TenantCall(tenant, call);
    }

    /// <summary>Commits the request's transaction if it is still open (a handler may commit before slow work that needs no database).</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await db.Database.CommitTransactionAsync(ct);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a call known by tenant and id in a transaction of its own (media streams).</summary>
    public async Task<T> InCallAsync<T>(Guid tenantId, Guid callId, Func<TenantCall?, Task<T>> work, CancellationToken ct)
    {
        db.Scope.UseTenant(tenantId);
        await using var transaction = await BeginTransactionAsync(ct);
        var call = await db.Calls.FromSqlInterpolated($"SELECT * FROM calls WHERE id = {callId} FOR UPDATE").SingleOrDefaultAsync(ct);
        var result = await work(call is null ? null : new TenantCall(tenantId, call));
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> on the call inside the current transaction, or in a new one (then re-read and locked).</summary>
    public async Task<T> InCallAsync<T>(TenantCall call, Func<TenantCall?, Task<T>> work, CancellationToken ct) =>
        db.Database.CurrentTransaction is not null ? await work(call) : await InCallAsync(call.TenantId, call.Call.Id, work, ct);

    private Task<IDbContextTransaction> BeginTransactionAsync(CancellationToken ct)
    {
        // A failed save ends the request and rolls the whole transaction back: no savepoint round trips around each save.
        db.Database.AutoSavepointsEnabled = false;
        return db.Database.BeginTransactionAsync(ct);
    }

    private void RequireTransaction()
    {
        if (db.Database.CurrentTransaction is null)
        {
            // Outside a transaction row-level security has no tenant: every query would come back empty.
            throw new InvalidOperationException("A call is resolved inside the request's transaction.");
        }
    }
}

/// <summary>
/// Resolves the call a provider webhook names (<see cref="TenantCalls.FindAsync(string, string, CancellationToken)"/>)
/// once, before the handler, and runs the handler in that one transaction; it commits when the handler returns (unless
/// the handler committed earlier, <see cref="TenantCalls.CommitAsync"/>).
/// A request that names no existing call (a new call) passes through untouched: its handler routes by number.
/// </summary>
public sealed class TenantCallFilter(string provider, Func<HttpContext, ValueTask<string?>> providerCallIdOf) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (await providerCallIdOf(http) is not { } providerCallId)
        {
            return await next(context);
        }

        var calls = http.RequestServices.GetRequiredService<TenantCalls>();
        await using var transaction = await calls.BeginAsync(http.RequestAborted);
        var call = await calls.FindAsync(provider, providerCallId, http.RequestAborted);
        TenantCall.Set(http, call);
        // Every log line of the handler names the tenant and the call.
        using var logScope = call is null ? null
            : http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<TenantCallFilter>().BeginCallScope(call.TenantId, providerCallId);
        var result = await next(context);
        await calls.CommitAsync(http.RequestAborted);
        return result;
    }
}
