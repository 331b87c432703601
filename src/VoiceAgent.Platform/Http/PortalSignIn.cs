using Microsoft.AspNetCore.Identity;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Platform.Http;

/// <summary>Password sign-in for the portal (cookie) and the API (bearer token), with lockout.</summary>
public static class PortalSignIn
{
    // The account is unknown until the password is checked, so the lookup runs in an explicit platform scope.
    public static Task<SignInResult> PasswordSignInAsync(SignInManager<AppUser> signIn, VoiceAgentDb db, string email, string password,
        CancellationToken ct) =>
        db.InScopeAsync(s => s.UsePlatform(),
            () => signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: true), ct);

    public static string FailureMessage(SignInResult result) =>
        result.IsLockedOut ? Texts.Get("Login.LockedOut")
        : result.IsNotAllowed ? Texts.Get("Login.NotAllowed")
        : Texts.Get("Login.Failed");
}
