namespace VoiceAgent.Platform.Tenancy;

/// <summary>The registration form (and <c>POST /api/auth/register</c> body). Steps: 1 Firma &amp; Zugang, 2 Adresse &amp; Telefon, 3 Steuerdaten.</summary>
public sealed class RegistrationRequest
{
    public string? CompanyName { get; set; }
    public string? ContactPerson { get; set; }
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? Street { get; set; }
    public string? HouseNumber { get; set; }
    public string? PostalCode { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public string? Phone { get; set; }
    public string? TaxNumber { get; set; }
    public string? VatId { get; set; }
    public string? Website { get; set; }
    public string? Industry { get; set; }
}
