using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Util;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>
/// The platform's Google Cloud service account, from its JSON key: Google.Apis.Auth signs the JWT-bearer assertion
/// (RS256) and fetches and caches the access token from the key's <c>token_uri</c>. One credential per key and process
/// (a singleton), so every call and the test console share one token until it is due for renewal.
/// </summary>
public sealed class GoogleServiceAccounts(TimeProvider time)
{
    private readonly Lock gate = new();
    private (string Fingerprint, GoogleServiceAccount Account)? current;

    /// <summary>The account of <paramref name="json"/>, or null when it is not a usable service account key (never says
    /// why in detail: the text is a secret).</summary>
    public GoogleServiceAccount? For(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        lock (gate)
        {
            if (current is { } known && known.Fingerprint == fingerprint)
            {
                return known.Account;
            }
        }

        var account = GoogleServiceAccount.Parse(json, time);
        if (account is not null)
        {
            lock (gate)
            {
                current = (fingerprint, account);
            }
        }

        return account;
    }
}

/// <summary>One service account: its e-mail (not secret; named in logs) and its access tokens.</summary>
public sealed class GoogleServiceAccount
{
    private readonly ServiceAccountCredential credential;

    private GoogleServiceAccount(string clientEmail, ServiceAccountCredential credential)
    {
        ClientEmail = clientEmail;
        this.credential = credential;
    }

    public string ClientEmail { get; }

    /// <summary>A new credential (no token yet) for <paramref name="json"/>; null when it is not a service account key.</summary>
    public static GoogleServiceAccount? Parse(string json, TimeProvider time)
    {
        string? email, key, keyId, tokenUri;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "type") != "service_account")
            {
                return null;
            }

            email = Text(root, "client_email");
            key = Text(root, "private_key");
            keyId = Text(root, "private_key_id");
            tokenUri = Text(root, "token_uri") ?? GoogleAuthConsts.OidcTokenUrl;
        }
        catch (JsonException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(key) || !Uri.TryCreate(tokenUri, UriKind.Absolute, out var token)
            || token.Scheme is not ("https" or "http"))
        {
            return null;
        }

        try
        {
            var initializer = new ServiceAccountCredential.Initializer(email, token.AbsoluteUri)
            {
                Scopes = [GoogleCloudOptions.Scope],
                KeyId = keyId,
                Clock = new Clock(time),
                // Our own budget bounds the whole call; the library's back-off would sleep on the wall clock.
                DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
            }.FromPrivateKey(key);
            return new GoogleServiceAccount(email, new ServiceAccountCredential(initializer));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or CryptographicException or NotSupportedException)
        {
            return null; // not a PEM RSA private key
        }
    }

    /// <summary>A valid access token (cached by the credential until shortly before it expires).</summary>
    /// <exception cref="PortException">The token endpoint refused the assertion or did not answer.</exception>
    public async Task<string> AccessTokenAsync(CancellationToken ct)
    {
        try
        {
            return await credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
        }
        catch (TokenResponseException ex)
        {
            // The error code only ("invalid_grant"): Google's description may quote the assertion's claims.
            throw new PortException($"Google Cloud refused a token for {ClientEmail} (HTTP {(int?)ex.StatusCode}, {ex.Error?.Error ?? "no error code"}).", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new PortException($"Google Cloud's token endpoint for {ClientEmail} is unreachable ({ex.HttpRequestError}).", ex);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class Clock(TimeProvider time) : IClock
    {
        public DateTime Now => time.GetLocalNow().DateTime;

        public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
    }
}
