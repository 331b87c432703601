using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Web.Api;

public static class AuthApi
{
    /// <summary>As Identity's own API: a user with two-factor authentication sends the app's code or a recovery code along.</summary>
    public sealed record LoginRequest(string? Email, string? Password, string? TwoFactorCode = null, string? TwoFactorRecoveryCode = null);

    public sealed record RegisteredResponse(Guid TenantId, string Status);

    public static void MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth").AllowAnonymous().WithMetadata(new NoTenantScopeAttribute())
            .RequireRateLimiting(RateLimits.Anonymous);
        group.MapPost("/register", Register).WithName("Register");
        group.MapPost("/login", Login).WithName("Login");
    }

    internal static async Task<Results<Created<RegisteredResponse>, ValidationProblem>> Register(
        RegistrationRequest request, [AsParameters] AuthApiServices services, CancellationToken ct)
    {
        var outcome = await services.Tenants.RegisterAsync(request, ct);
        if (outcome.Kind != OutcomeKind.Ok)
        {
            return Problems.Validation(outcome.Errors!);
        }

        return TypedResults.Created("/api/tenant", new RegisteredResponse(outcome.Value!.Id, outcome.Value.Status.ToApi()));
    }

    /// <summary>Writes Identity's bearer token response (<c>tokenType, accessToken, expiresIn, refreshToken</c>).</summary>
    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> Login(
        LoginRequest request, [AsParameters] AuthApiServices services, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(request.Email))
            {
                errors["email"] = [Texts.Get("Validation.Required")];
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                errors["password"] = [Texts.Get("Validation.Required")];
            }

            return Problems.Validation(errors);
        }

        services.SignIn.Manager.AuthenticationScheme = IdentityConstants.BearerScheme;
        var result = await services.SignIn.PasswordAsync(request.Email, request.Password, services.Http.Connection.RemoteIpAddress, ct);
        if (result.RequiresTwoFactor)
        {
            var code = !string.IsNullOrWhiteSpace(request.TwoFactorCode) ? request.TwoFactorCode : request.TwoFactorRecoveryCode;
            if (string.IsNullOrWhiteSpace(code))
            {
                return Problems.Status(StatusCodes.Status401Unauthorized, Texts.Get("Login.CodeRequired"), "RequiresTwoFactor");
            }

            result = await services.SignIn.SecondFactorAsync(code, rememberDevice: false, ct);
            if (!result.Succeeded)
            {
                return Problems.Status(StatusCodes.Status401Unauthorized,
                    result.IsLockedOut ? Texts.Get("Login.LockedOut") : Texts.Get("Login.CodeInvalid"), "RequiresTwoFactor");
            }
        }

        return result.Succeeded
            ? TypedResults.Empty
            : Problems.Status(StatusCodes.Status401Unauthorized, PortalSignIn.FailureMessage(result));
    }
}

/// <summary>The services registration and sign-in use, bound per request with <c>[AsParameters]</c>.</summary>
public sealed record AuthApiServices(TenantService Tenants, PortalSignIn SignIn, HttpContext Http);
