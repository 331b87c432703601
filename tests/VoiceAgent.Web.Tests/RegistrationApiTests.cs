using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Data;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class RegistrationApiTests : IntegrationTest
{
    [Fact]
    public async Task Valid_registration_creates_a_pending_tenant_with_its_admin_and_an_audit_entry()
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register", TestData.Registration("inhaber@salon.de"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        var id = body.GetProperty("tenantId").GetGuid();
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM tenants WHERE id = '{id}' AND status = 'pending'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM users WHERE tenant_id = '{id}' AND role = 'TenantAdmin'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{id}' AND action = 'tenant.registered'"));
    }

    [Fact]
    public async Task Registration_normalizes_vat_id_and_website()
    {
        var id = await App.RegisterAsync(TestData.Registration("praxis@example.ch")
            .With("country", "CH").With("postalCode", "8001").With("city", "Zürich")
            .With("vatId", "che 123 456 789 mwst").With("website", "praxis.ch"));

        var admin = await App.LoginAsAdminAsync();
        var tenant = await Json(await admin.GetAsync($"/api/admin/tenants/{id}"));
        Assert.Equal("CHE-123.456.789 MWST", tenant.GetProperty("vatId").GetString());
        Assert.Equal("https://praxis.ch", tenant.GetProperty("website").GetString());
    }

    [Theory]
    [InlineData("DE", "DE12345678")]
    [InlineData("DE", "ATU12345678")]
    [InlineData("AT", "ATU1234567")]
    [InlineData("AT", "AT123456789")]
    [InlineData("CH", "CHE-123.456.78 MWST")]
    [InlineData("DE", "DE12345678X")]
    public async Task Bad_vat_id_is_a_german_field_error_and_stores_nothing(string country, string vatId)
    {
        var postal = country == "DE" ? "10115" : "1010";
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register",
            TestData.Registration("a@b.de").With("country", country).With("postalCode", postal).With("vatId", vatId));

        var errors = await FieldErrors(response);
        Assert.Single(errors);
        Assert.Contains(country == "DE" ? "USt-IdNr." : "UID", errors["vatId"][0]);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenants"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM users"));
    }

    [Theory]
    [InlineData("DE", "1011")]
    [InlineData("DE", "101155")]
    [InlineData("DE", "1O115")]
    [InlineData("AT", "10115")]
    [InlineData("AT", "0999")]
    [InlineData("CH", "800")]
    public async Task Bad_postal_code_for_the_country_is_rejected(string country, string postalCode)
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register",
            TestData.Registration("a@b.de").With("country", country).With("postalCode", postalCode).With("vatId", null));

        var errors = await FieldErrors(response);
        Assert.Equal(["postalCode"], errors.Keys);
        Assert.Contains("Postleitzahl", errors["postalCode"][0]);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenants"));
    }

    [Theory]
    [InlineData("AT", "1010", "ATU12345678")]
    [InlineData("CH", "8001", "CHE-123.456.789 MWST")]
    [InlineData("DE", "01067", "DE987654321")]
    public async Task Austrian_and_swiss_formats_are_accepted(string country, string postalCode, string vatId)
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register",
            TestData.Registration($"x-{country}@firma.com").With("country", country).With("postalCode", postalCode).With("vatId", vatId));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Missing_required_fields_are_each_reported_in_german()
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register", new { companyName = "  " });

        var errors = await FieldErrors(response);
        string[] required = ["companyName", "contactPerson", "email", "password", "street", "houseNumber", "postalCode", "city", "country", "phone"];
        Assert.Equal(required.Order(), errors.Keys.Order());
        Assert.All(required, f => Assert.Equal("Dieses Feld ist erforderlich.", errors[f][0]));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenants"));
    }

    [Fact]
    public async Task Weak_password_invalid_email_and_phone_are_field_errors()
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register",
            TestData.Registration("kein-at-zeichen").With("password", "kurz").With("phone", "0800-HILFE"));

        var errors = await FieldErrors(response);
        Assert.Equal(["email", "password", "phone"], errors.Keys.Order());
    }

    [Fact]
    public async Task Script_strings_are_stored_literally_and_rendered_encoded()
    {
        const string evil = "<script>alert('x')</script> & Co. \"KG\"";
        var id = await App.RegisterAsync(TestData.Registration("xss@firma.de", evil).With("industry", "<img src=x onerror=alert(1)>"));

        var admin = await App.LoginAsAdminAsync();
        var tenant = await Json(await admin.GetAsync($"/api/admin/tenants/{id}"));
        Assert.Equal(evil, tenant.GetProperty("companyName").GetString());

        // The page is interactive (its HTML is built in the circuit): the component that shows the company data is rendered
        // here with the stored tenant; the browser test SecurityTests looks at the real pages.
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var stored = await db.InScopeAsync(s => s.UsePlatform(), () => db.Tenants.AsNoTracking().SingleAsync(t => t.Id == id));
        await using var bunit = new Bunit.BunitContext();
        bunit.Services.AddLocalization();
        bunit.JSInterop.Mode = Bunit.JSRuntimeMode.Loose;
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(bunit.Services);
        var html = bunit.Render<VoiceAgent.Web.Components.Shared.CompanyDetails>(p => p.Add(c => c.Tenant, stored)).Markup;
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;alert(", html);
        Assert.Contains("&lt;/script&gt; &amp; Co.", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }

    [Fact]
    public async Task Duplicate_email_is_a_field_error_and_keeps_the_first_registration()
    {
        await App.RegisterAsync(TestData.Registration("doppelt@firma.de", "Erste GmbH"));

        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register", TestData.Registration("Doppelt@Firma.de", "Zweite GmbH"));

        var errors = await FieldErrors(response);
        Assert.Equal("Diese E-Mail-Adresse ist bereits registriert.", errors["email"][0]);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenants"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenants WHERE company_name = 'Erste GmbH'"));
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_response_and_stores_nothing()
    {
        var response = await App.CreateClient().PostAsync("/api/auth/register",
            new StringContent("{\"companyName\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Die Anfrage ist ungültig.", (await Json(response)).GetProperty("title").GetString());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenants"));
    }

    [Fact]
    public async Task Oversized_body_is_refused_with_413()
    {
        var huge = TestData.Registration("big@firma.de").With("industry", new string('x', 2 * 1024 * 1024));
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tenants"));
    }

    [Fact]
    public async Task Errors_are_english_when_the_user_chose_english()
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add("Cookie", ".AspNetCore.Culture=c%3Den-GB%7Cuic%3Den-GB");
        var response = await client.PostAsJsonAsync("/api/auth/register", new { });

        var errors = await FieldErrors(response);
        Assert.Equal("This field is required.", errors["companyName"][0]);
    }
}
