using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Web.Api;

public static class TenantApi
{
    public sealed record AddUserRequest(string? Email, string? Password, string? Role);

    public static void MapTenantApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tenant").WithTags("Tenant").RequireAuthorization(PortalSecurity.TenantMemberPolicy)
            .AddEndpointFilter<CookieAntiforgeryFilter>();
        group.MapGet("/", GetOwnTenant).WithName("GetOwnTenant");

        var approved = new RequiresApprovedTenantAttribute();
        group.MapGet("/users", ListUsers).WithName("ListTenantUsers").WithMetadata(approved);
        group.MapPost("/users", AddUser).WithName("AddTenantUser").WithMetadata(approved)
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
        group.MapDelete("/users/{id:guid}", RemoveUser).WithName("RemoveTenantUser").WithMetadata(approved)
            .RequireAuthorization(PortalSecurity.TenantAdminPolicy);
    }

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> GetOwnTenant(ClaimsPrincipal user,
        [AsParameters] TenantApiServices services, CancellationToken ct) =>
        await services.Db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == user.TenantId(), ct) is { } tenant
            ? TypedResults.Ok(TenantDto.From(tenant))
            : Problems.NotFound();

    internal static async Task<Ok<List<UserDto>>> ListUsers(ClaimsPrincipal user, [AsParameters] TenantApiServices services, CancellationToken ct)
    {
        var users = await services.Db.Users.AsNoTracking().Where(u => u.TenantId == user.TenantId()).OrderBy(u => u.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(users.Select(UserDto.From).ToList());
    }

    internal static async Task<Results<Created<UserDto>, ProblemHttpResult, ValidationProblem>> AddUser(AddUserRequest body, ClaimsPrincipal user,
        [AsParameters] TenantApiServices services, CancellationToken ct)
    {
        var outcome = await services.Tenants.AddUserAsync(user.TenantId()!.Value, user.Actor(), body.Email, body.Password, body.Role, ct);
        return outcome.ToResults(added => TypedResults.Created($"/api/tenant/users/{added.Id}", UserDto.From(added)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> RemoveUser(Guid id, ClaimsPrincipal user,
        [AsParameters] TenantApiServices services, CancellationToken ct)
    {
        var outcome = await services.Tenants.RemoveUserAsync(user.TenantId()!.Value, id, user.Actor(), ct);
        return outcome.ToResults(_ => TypedResults.NoContent());
    }
}

/// <summary>The services the tenant endpoints use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record TenantApiServices(VoiceAgentDb Db, TenantService Tenants);
