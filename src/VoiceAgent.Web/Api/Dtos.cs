using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Api;

public sealed record TenantDto(
    Guid Id, string CompanyName, string ContactPerson, string Email, string Street, string HouseNumber, string PostalCode,
    string City, string Country, string Phone, string? TaxNumber, string? VatId, string? Website, string? Industry,
    string Status, string? StatusReason, DateTimeOffset CreatedAt, DateTimeOffset StatusChangedAt)
{
    public static TenantDto From(Tenant t) => new(t.Id, t.CompanyName, t.ContactPerson, t.Email, t.Street, t.HouseNumber,
        t.PostalCode, t.City, t.Country, t.Phone, t.TaxNumber, t.VatId, t.Website, t.Industry, t.Status.ToApi(), t.StatusReason,
        t.CreatedAt, t.StatusChangedAt);
}

public sealed record UserDto(Guid Id, string Email, string DisplayName, string Role, DateTimeOffset CreatedAt)
{
    public static UserDto From(AppUser u) => new(u.Id, u.Email ?? "", u.DisplayName, u.Role.ToString(), u.CreatedAt);
}

public sealed record AuditDto(long Id, Guid? TenantId, string? ActorEmail, string Action, string? Details, string? Reason, DateTimeOffset At)
{
    public static AuditDto From(AuditEntry a) => new(a.Id, a.TenantId, a.ActorEmail, a.Action, a.Details, a.Reason, a.At);
}

public sealed record ReasonRequest(string? Reason);
