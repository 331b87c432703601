namespace VoiceAgent.Testing;

public static class TestData
{
    public const string Password = "Sicheres-Passwort-42";

    /// <summary>A complete, valid German registration (API field names).</summary>
    public static Dictionary<string, object?> Registration(string email, string company = "Salon Schnitt GmbH") => new()
    {
        ["companyName"] = company,
        ["contactPerson"] = "Erika Mustermann",
        ["email"] = email,
        ["password"] = Password,
        ["street"] = "Hauptstraße",
        ["houseNumber"] = "12a",
        ["postalCode"] = "80331",
        ["city"] = "München",
        ["country"] = "DE",
        ["phone"] = "+49 89 1234567",
        ["taxNumber"] = "143/123/45678",
        ["vatId"] = "DE123456789",
        ["website"] = "www.salon-schnitt.de",
        ["industry"] = "Friseursalon",
    };

    public static Dictionary<string, object?> With(this Dictionary<string, object?> data, string field, object? value)
    {
        var copy = new Dictionary<string, object?>(data) { [field] = value };
        return copy;
    }
}
