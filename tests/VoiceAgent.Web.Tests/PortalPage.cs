using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Drives the server-rendered portal over HTTP like a browser without JavaScript: cookies, antiforgery, forms.</summary>
public sealed partial class PortalPage(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static PortalPage Create(WebApplicationFactory<Program> app) =>
        new(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public static async Task<string> GetAsync(WebApplicationFactory<Program> app, string email, string password, string path)
    {
        var page = Create(app);
        var login = await page.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var response = await page.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// Signs in through the form; when the password step asks for the second factor, answers it with
    /// <paramref name="code"/> or, for the test super-admin, the current code of its known authenticator key.
    /// </summary>
    public async Task<HttpResponseMessage> LoginAsync(string email, string password, string? code = null)
    {
        var response = await PostFormAsync("/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        if (response.Headers.Location is not { } target
            || (target.IsAbsoluteUri ? target.PathAndQuery : target.OriginalString) is not { } location
            || !location.StartsWith("/login/2fa", StringComparison.Ordinal))
        {
            return response;
        }

        code ??= email == VoiceAgentFactory.AdminEmail ? Totp.Code(VoiceAgentFactory.AdminAuthenticatorKey) : null;
        return code is null ? response : await SecondFactorAsync(location, code);
    }

    /// <summary>Posts the second step's form (a code from the app or a recovery code).</summary>
    public Task<HttpResponseMessage> SecondFactorAsync(string path, string code, bool rememberDevice = false)
    {
        var fields = new Dictionary<string, string> { ["Input.Code"] = code };
        if (rememberDevice)
        {
            fields["Input.RememberDevice"] = "true";
        }

        return PostFormAsync(path, "second-factor", fields);
    }

    /// <summary>Loads the page, takes its antiforgery token and posts the named form.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, string formName, Dictionary<string, string> fields)
    {
        var html = await (await Client.GetAsync(path)).Content.ReadAsStringAsync();
        var token = TokenPattern().Match(html);
        Assert.True(token.Success, $"No antiforgery token on {path}");
        var content = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        };
        return await Client.PostAsync(path, new FormUrlEncodedContent(content));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
