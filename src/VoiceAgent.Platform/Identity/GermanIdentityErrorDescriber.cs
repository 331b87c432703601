using Microsoft.AspNetCore.Identity;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Identity;

/// <summary>Identity's errors in the user's language (German by default).</summary>
public sealed class GermanIdentityErrorDescriber : IdentityErrorDescriber
{
    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), "Validation.EmailInUse");

    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), "Validation.EmailInUse");

    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), "Validation.Email");

    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), "Validation.Email");

    public override IdentityError PasswordTooShort(int length) =>
        new() { Code = nameof(PasswordTooShort), Description = Texts.Format("Validation.Password", length) };

    public override IdentityError PasswordRequiresDigit() =>
        new() { Code = nameof(PasswordRequiresDigit), Description = Texts.Format("Validation.Password", RegistrationValidator.MinPasswordLength) };

    public override IdentityError DefaultError() => Error(nameof(DefaultError), "Error.Unexpected");

    private static IdentityError Error(string code, string key) => new() { Code = code, Description = Texts.Get(key) };
}
