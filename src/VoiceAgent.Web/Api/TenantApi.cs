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

    internal static async Task<Results<Ok<TenantDto>, ProblemHttpResult>> GetOwnTenant(ClaimsPrincipal user, VoiceAgentDb db, CancellationToken ct) =>
        await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == user.TenantId(), ct) is { } tenant
            ? TypedResults.Ok(TenantDto.From(tenant))
            : Problems.NotFound();

    internal static async Task<Ok<List<UserDto>>> ListUsers(ClaimsPrincipal user, VoiceAgentDb db, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.TenantId == user.TenantId()).OrderBy(u => u.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(users.Select(UserDto.From).ToList());
    }

    internal static async Task<IResult> AddUser(AddUserRequest body, ClaimsPrincipal user, TenantService tenants, CancellationToken ct)
    {
        var outcome = await tenants.AddUserAsync(user.TenantId()!.Value, user.Actor(), body.Email, body.Password, body.Role, ct);
        return outcome.Kind == OutcomeKind.Ok
            ? TypedResults.Created($"/api/tenant/users/{outcome.Value!.Id}", UserDto.From(outcome.Value))
            : Problems.From(outcome);
    }

    internal static async Task<IResult> RemoveUser(Guid id, ClaimsPrincipal user, TenantService tenants, CancellationToken ct)
    {
        var outcome = await tenants.RemoveUserAsync(user.TenantId()!.Value, id, user.Actor(), ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.NoContent() : Problems.From(outcome);
    }
}
