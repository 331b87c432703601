using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Observability;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Resources;
using Microsoft.EntityFrameworkCore;

namespace VoiceAgent.Platform.Http;

/// <summary>Endpoint metadata: the endpoint manages its own database access (health, sign-in, registration).</summary>
public sealed class NoTenantScopeAttribute : Attribute;

/// <summary>Endpoint metadata: only members of an approved tenant may use it; others see their registration status.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresApprovedTenantAttribute : Attribute;

/// <summary>
/// Resolves the tenant once at the edge: an authenticated request runs in one transaction whose row-level-security
/// context is its tenant (or the platform, for a super-admin). The transaction commits just before the response
/// starts, so a client never sees success for work that was not stored; a 5xx or an exception rolls it back.
/// </summary>
public static class TenantScopeMiddleware
{
    public static void UseTenantScope(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TenantScopeMiddleware));
        app.Use((context, next) => ScopeAsync(context, next, logger));
    }

    private static async Task ScopeAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        var endpoint = context.GetEndpoint();
        var user = context.User;
        if (endpoint is null || endpoint.Metadata.GetMetadata<NoTenantScopeAttribute>() is not null || user.Identity?.IsAuthenticated != true
            || IsFrameworkPath(context.Request.Path))
        {
            await next(context);
            return;
        }

        var db = context.RequestServices.GetRequiredService<VoiceAgentDb>();
        if (user.IsSuperAdmin())
        {
            db.Scope.UsePlatform();
        }
        else if (user.TenantId() is { } tenantId)
        {
            db.Scope.UseTenant(tenantId);
        }

        // Every log line of a tenant's request names the tenant.
        using var logScope = db.Scope.TenantId is { } scoped ? logger.BeginTenantScope(scoped) : null;

        var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        context.Response.RegisterForDisposeAsync(transaction);
        var committed = false;
        async Task CommitAsync()
        {
            if (!committed && context.Response.StatusCode < StatusCodes.Status500InternalServerError)
            {
                committed = true;
                await transaction.CommitAsync(CancellationToken.None);
            }
        }

        context.Response.OnStarting(CommitAsync);
        if (endpoint.Metadata.GetMetadata<RequiresApprovedTenantAttribute>() is not null && db.Scope.TenantId is { } id)
        {
            var status = await db.Tenants.Where(t => t.Id == id).Select(t => (TenantStatus?)t.Status).SingleOrDefaultAsync(context.RequestAborted);
            if (status != TenantStatus.Approved)
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    await Problems.Write(context, StatusCodes.Status403Forbidden, Texts.Get("Tenant.NotApproved"));
                }
                else
                {
                    context.Response.Redirect("/status");
                }

                return;
            }
        }

        await next(context);
        if (!context.Response.HasStarted)
        {
            await CommitAsync();
        }
    }

    // The Blazor circuit's connection lives for minutes and must not hold a transaction (each portal action opens its own,
    // through PortalData); framework and library files need none.
    private static bool IsFrameworkPath(PathString path) =>
        path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content");
}
