using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Api;

/// <summary>
/// The signed-in user's own sign-in security: password and two-factor authentication. Open to every signed-in user,
/// including a super-admin who has not enrolled yet (the only thing such a session can do). A change that alters the
/// security stamp ends every session of the user, the calling one included: API clients sign in again.
/// </summary>
public static class AccountApi
{
    public sealed record TwoFactorStatus(bool Enabled, bool Required, int RecoveryCodesLeft, string? SharedKey, string? AuthenticatorUri);

    public sealed record CodeRequest(string? Code);

    public sealed record RecoveryCodes(IReadOnlyList<string> Codes);

    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    public static void MapAccountApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/account").WithTags("Account").RequireAuthorization()
            .WithMetadata(new NoTenantScopeAttribute()).AddEndpointFilter<CookieAntiforgeryFilter>();
        group.MapGet("/2fa", GetTwoFactor).WithName("GetTwoFactor");
        group.MapPost("/2fa/enable", EnableTwoFactor).WithName("EnableTwoFactor");
        group.MapPost("/2fa/disable", DisableTwoFactor).WithName("DisableTwoFactor");
        group.MapPost("/2fa/recovery-codes", RenewRecoveryCodes).WithName("RenewRecoveryCodes");
        group.MapPost("/password", ChangePassword).WithName("ChangePassword");
    }

    internal static async Task<Results<Ok<TwoFactorStatus>, ProblemHttpResult>> GetTwoFactor(ClaimsPrincipal user, AccountSecurity security,
        CancellationToken ct) =>
        user.UserId() is { } id && await security.SetupAsync(id, ct) is { } setup
            ? TypedResults.Ok(new TwoFactorStatus(setup.Enabled, IsSuperAdminAccount(user), setup.RecoveryCodesLeft, setup.SharedKey?.Replace(" ", "").ToUpperInvariant(),
                setup.AuthenticatorUri))
            : Problems.NotFound();

    internal static async Task<Results<Ok<RecoveryCodes>, ProblemHttpResult, ValidationProblem>> EnableTwoFactor(CodeRequest body,
        ClaimsPrincipal user, AccountSecurity security, CancellationToken ct) =>
        Codes(await security.EnableAsync(user.UserId() ?? Guid.Empty, body.Code, ct));

    internal static async Task<Results<Ok<RecoveryCodes>, ProblemHttpResult, ValidationProblem>> RenewRecoveryCodes(ClaimsPrincipal user,
        AccountSecurity security, CancellationToken ct) =>
        Codes(await security.RenewRecoveryCodesAsync(user.UserId() ?? Guid.Empty, ct));

    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> DisableTwoFactor(ClaimsPrincipal user,
        AccountSecurity security, CancellationToken ct) =>
        (await security.DisableAsync(user.UserId() ?? Guid.Empty, ct)).ToResults(_ => TypedResults.NoContent());

    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ChangePassword(PasswordChange body, ClaimsPrincipal user,
        AccountSecurity security, CancellationToken ct) =>
        (await security.ChangePasswordAsync(user.UserId() ?? Guid.Empty, body.CurrentPassword, body.NewPassword, ct))
        .ToResults(_ => TypedResults.NoContent());

    // The role claim is absent until enrolment; the enrolment claim tells a super-admin account.
    private static bool IsSuperAdminAccount(ClaimsPrincipal user) =>
        user.IsSuperAdmin() || user.HasClaim(AppClaimsPrincipalFactory.TwoFactorEnrolmentClaim, "true");

    private static Results<Ok<RecoveryCodes>, ProblemHttpResult, ValidationProblem> Codes(Outcome<IReadOnlyList<string>> outcome) =>
        outcome.ToResults(codes => TypedResults.Ok(new RecoveryCodes(codes)));
}
