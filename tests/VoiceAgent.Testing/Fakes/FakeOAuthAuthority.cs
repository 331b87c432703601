using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// The OAuth 2.0 authorization server part of the Google and Microsoft fakes (API-CONTRACTS.md §5, §6): an authorize
/// page a person (or a browser test) approves, authorization codes bound to client, redirect URI and PKCE challenge
/// (S256 only; single use), the token endpoint for authorization_code and refresh_token grants with the providers'
/// invalid_grant errors, revocation, and bearer tokens the calendar API checks. Everything is kept in memory.
/// </summary>
public sealed class FakeOAuthAuthority(string providerName, string clientId, string clientSecret)
{
    private readonly ConcurrentDictionary<string, PendingCode> codes = new();
    private readonly ConcurrentDictionary<string, string> accessTokens = new();
    private readonly ConcurrentDictionary<string, string> refreshTokens = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> tokenRequests = new();
    private readonly ConcurrentQueue<int> tokenFailures = new();

    public string ClientId => clientId;

    public string ClientSecret => clientSecret;

    /// <summary>Microsoft rotates refresh tokens: each refresh returns a new one.</summary>
    public bool RotateRefreshTokens { get; init; }

    /// <summary>The account that approves (Google: the primary calendar; Microsoft: the user principal name).</summary>
    public string Account { get; set; } = "praxis@example.com";

    /// <summary>Extra fields of the token response (Microsoft: id_token, client_info).</summary>
    public Func<JsonObject>? ExtraTokenFields { get; init; }

    /// <summary>Every token request's form (secrets included — tests look at grant types and verifiers).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> TokenRequests => tokenRequests.ToArray();

    public int RefreshCount => TokenRequests.Count(r => r.GetValueOrDefault("grant_type") == "refresh_token");

    public IReadOnlyCollection<string> RevokedTokens => revoked.Keys.ToList();

    private readonly ConcurrentDictionary<string, bool> revoked = new();
    private readonly ConcurrentQueue<string> issued = new();

    /// <summary>Every access and refresh token handed out (to check that none is stored in clear).</summary>
    public IReadOnlyList<string> IssuedTokens => issued.ToArray();

    /// <summary>A valid access token without the OAuth dance, for tests of the calendar API clients.</summary>
    public string IssueAccessToken()
    {
        var token = Random("at");
        accessTokens[token] = "test";
        issued.Enqueue(token);
        return token;
    }

    /// <summary>Every access token issued so far stops working (as if it expired): the next API call answers 401.</summary>
    public void ExpireAccessTokens() => accessTokens.Clear();

    /// <summary>The user revoked the app: access and refresh tokens stop working; refresh answers invalid_grant.</summary>
    public void RevokeGrant()
    {
        accessTokens.Clear();
        refreshTokens.Clear();
    }

    /// <summary>The next token requests answer these HTTP statuses (e.g. 503) instead.</summary>
    public void FailTokenRequests(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            tokenFailures.Enqueue(status);
        }
    }

    public bool IsValidAccessToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
        && accessTokens.ContainsKey(header["Bearer ".Length..]);

    /// <summary>The consent page: checks the request like the provider would, then offers "Zulassen" / "Ablehnen".</summary>
    public async Task AuthorizePageAsync(HttpContext http, string approvePath)
    {
        var q = http.Request.Query;
        var problem = q["client_id"] != clientId ? "invalid_client"
            : q["response_type"] != "code" ? "unsupported_response_type"
            : string.IsNullOrEmpty(q["redirect_uri"]) ? "redirect_uri_mismatch"
            : string.IsNullOrEmpty(q["code_challenge"]) || q["code_challenge_method"] != "S256" ? "invalid_request (PKCE S256 required)"
            : string.IsNullOrEmpty(q["state"]) ? "invalid_request (state required)"
            : null;
        http.Response.ContentType = "text/html; charset=utf-8";
        var enc = HtmlEncoder.Default;
        if (problem is not null)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsync($"<!DOCTYPE html><html lang=\"de\"><head><title>Fehler</title></head><body><h1>Fehler: {enc.Encode(problem)}</h1></body></html>");
            return;
        }

        var hidden = string.Concat(new[] { "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope", "client_id" }
            .Select(k => $"<input type=\"hidden\" name=\"{k}\" value=\"{enc.Encode(q[k].ToString())}\" />"));
        await http.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8" /><title>{enc.Encode(providerName)} – Anmelden</title><link rel="icon" href="data:," /></head>
            <body>
            <h1>{enc.Encode(providerName)}</h1>
            <p>VoiceAgent möchte auf den Kalender von <strong data-testid="fake-account">{enc.Encode(Account)}</strong> zugreifen.</p>
            <p>Berechtigungen: <code>{enc.Encode(q["scope"].ToString())}</code></p>
            <form method="post" action="{enc.Encode(approvePath)}">
            {hidden}
            <button type="submit" name="decision" value="allow">Zulassen</button>
            <button type="submit" name="decision" value="deny">Ablehnen</button>
            </form>
            </body></html>
            """);
    }

    /// <summary>The user's decision: back to the redirect URI with a code (or error=access_denied) and the state.</summary>
    public async Task ApproveAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var redirect = form["redirect_uri"].ToString();
        var query = new Dictionary<string, string?> { ["state"] = form["state"].ToString() };
        if (form["decision"] == "allow")
        {
            var code = Random("code");
            codes[code] = new PendingCode(form["client_id"].ToString(), redirect, form["code_challenge"].ToString(), form["scope"].ToString());
            query["code"] = code;
        }
        else
        {
            query["error"] = "access_denied";
        }

        http.Response.Redirect(QueryHelpers.AddQueryString(redirect, query));
    }

    /// <summary>What the approve button does, for tests without a browser: the redirect URL with code and state.</summary>
    public string Approve(Uri authorizeUrl)
    {
        var q = QueryHelpers.ParseQuery(authorizeUrl.Query);
        var code = Random("code");
        codes[code] = new PendingCode(q["client_id"].ToString(), q["redirect_uri"].ToString(), q["code_challenge"].ToString(), q["scope"].ToString());
        return QueryHelpers.AddQueryString(q["redirect_uri"].ToString(), new Dictionary<string, string?> { ["code"] = code, ["state"] = q["state"].ToString() });
    }

    public async Task TokenAsync(HttpContext http)
    {
        var form = (await http.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        tokenRequests.Enqueue(form);
        if (tokenFailures.TryDequeue(out var failure))
        {
            await Error(http, failure, "server_error", "The service is temporarily unavailable.");
            return;
        }

        var (id, secret) = ClientCredentials(http.Request, form);
        if (id != clientId || secret != clientSecret)
        {
            await Error(http, 401, "invalid_client", "The OAuth client was not found.");
            return;
        }

        switch (form.GetValueOrDefault("grant_type"))
        {
            case "authorization_code":
                if (!codes.TryRemove(form.GetValueOrDefault("code") ?? "", out var pending))
                {
                    await Error(http, 400, "invalid_grant", "Malformed auth code.");
                    return;
                }

                if (pending.RedirectUri != form.GetValueOrDefault("redirect_uri"))
                {
                    await Error(http, 400, "redirect_uri_mismatch", "Bad Request");
                    return;
                }

                if (form.GetValueOrDefault("code_verifier") is not { Length: >= 43 } verifier
                    || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != pending.Challenge)
                {
                    await Error(http, 400, "invalid_grant", "Missing code verifier.");
                    return;
                }

                await Tokens(http, pending.Scope, newRefreshToken: true);
                return;
            case "refresh_token":
                var refresh = form.GetValueOrDefault("refresh_token") ?? "";
                if (!refreshTokens.TryGetValue(refresh, out var scope))
                {
                    await Error(http, 400, "invalid_grant", "Token has been expired or revoked.");
                    return;
                }

                await Tokens(http, scope, newRefreshToken: RotateRefreshTokens);
                return;
            default:
                await Error(http, 400, "unsupported_grant_type", "Invalid grant_type.");
                return;
        }
    }

    public async Task RevokeAsync(HttpContext http)
    {
        var token = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync())["token"].ToString() : http.Request.Query["token"].ToString();
        revoked[token] = true;
        refreshTokens.TryRemove(token, out _);
        accessTokens.TryRemove(token, out _);
        http.Response.StatusCode = 200;
    }

    private async Task Tokens(HttpContext http, string scope, bool newRefreshToken)
    {
        var access = Random("at");
        accessTokens[access] = scope;
        issued.Enqueue(access);
        var body = new JsonObject
        {
            ["access_token"] = access,
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["scope"] = scope,
            ["token_type"] = "Bearer",
        };
        if (newRefreshToken)
        {
            var refresh = Random("rt");
            refreshTokens[refresh] = scope;
            issued.Enqueue(refresh);
            body["refresh_token"] = refresh;
        }

        foreach (var (key, value) in ExtraTokenFields?.Invoke() ?? [])
        {
            body[key] = value?.DeepClone();
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, Dictionary<string, string> form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (WebUtility.UrlDecode(parts[0]), parts.Length > 1 ? WebUtility.UrlDecode(parts[1]) : null);
        }

        return (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
    }

    private static async Task Error(HttpContext http, int status, string error, string description)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
            ["error_codes"] = new JsonArray(70000),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        }.ToJsonString());
    }

    private static string Random(string prefix) => prefix + "_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));

    private sealed record PendingCode(string ClientId, string RedirectUri, string Challenge, string Scope);
}
