using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// Google Cloud speech on 127.0.0.1 (random port): the OAuth 2.0 token endpoint for service accounts and the two REST
/// methods the platform calls. Contracts: developers.google.com/identity/protocols/oauth2/service-account (JWT-bearer
/// grant: <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>, <c>assertion</c> an RS256 JWT with
/// iss/scope/aud/iat/exp, at most one hour; answer <c>{access_token, expires_in, token_type}</c>, refusals
/// <c>{"error":"invalid_grant","error_description":…}</c>); cloud.google.com/speech-to-text/docs/reference/rest/v1/speech/recognize
/// (<c>results[].alternatives[].transcript</c>; nothing recognized = no <c>results</c>) and
/// cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize (<c>audioContent</c> base64; LINEAR16 and MULAW
/// "also contain a WAV header"); errors as <c>{"error":{"code","message","status"}}</c> (google.rpc.Status).
/// The service account key is a test RSA pair the fake makes: <see cref="ServiceAccountJson"/> gives its JSON key file with
/// <c>token_uri</c> pointing here, and the fake verifies every assertion's signature with the public half.
/// </summary>
/// <remarks>
/// Point the app at it with the settings <c>GoogleCloud:SpeechBaseUrl</c> and <c>GoogleCloud:TextToSpeechBaseUrl</c> =
/// <see cref="BaseUrl"/> and store <see cref="ServiceAccountJson"/> as the super-admin setting
/// <c>googlecloud.service_account</c> (PUT /api/admin/settings/googlecloud.service_account).
/// </remarks>
public sealed partial class FakeGoogleCloudServer : IAsyncDisposable
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    public const string DefaultClientEmail = "voiceagent-speech@voiceagent-test.iam.gserviceaccount.com";

    /// <summary>The audience Google's docs prescribe for the assertion ("always https://oauth2.googleapis.com/token"; the older
    /// token URL is still accepted). Clients that use the key's token_uri instead send the fake's own URL, also accepted.</summary>
    public static readonly IReadOnlyList<string> Audiences = ["https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token"];

    /// <summary>50 ms of tone per input character, so the audio's length tells which text was spoken.</summary>
    public const double SecondsPerCharacter = 0.05;

    public sealed record RecordedRequest(string Method, string Path, string? Authorization);

    /// <summary>A token request: the assertion's claims as the fake read them (null when it could not be read).</summary>
    public sealed record TokenRequest(string? GrantType, JsonObject? Claims, bool SignatureValid);

    public sealed record RecognizeRequest(string? Encoding, int? SampleRateHertz, string? LanguageCode, byte[] Audio);

    public sealed record SynthesizeRequest(string? Text, string? VoiceName, string? LanguageCode, string? AudioEncoding, int? SampleRateHertz);

    /// <param name="Status">HTTP status; Google's status word follows from it (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE …).</param>
    public sealed record Failure(int Status, int? RetryAfterSeconds = null, string? Message = null);

    private readonly WebApplication app;
    private readonly TimeProvider time;
    private readonly RSA key = RSA.Create(2048);
    private readonly string keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<TokenRequest> tokenRequests = new();
    private readonly ConcurrentQueue<RecognizeRequest> recognitions = new();
    private readonly ConcurrentQueue<SynthesizeRequest> syntheses = new();
    private readonly ConcurrentQueue<string?> transcripts = new();
    private readonly ConcurrentQueue<Failure> failures = new();
    private readonly ConcurrentQueue<Failure> tokenFailures = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> tokens = new();
    private int issued;

    private FakeGoogleCloudServer(WebApplication app, TimeProvider time)
    {
        this.app = app;
        this.time = time;
    }

    /// <summary>The origin, e.g. <c>http://127.0.0.1:41234</c>: the base URL of both APIs (they add "/v1/…").</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The token endpoint the service account JSON names.</summary>
    public Uri TokenUri => new(BaseUrl, "/token");

    /// <summary>Answers recognitions nobody scripted with <see cref="EnqueueTranscripts"/>; null: nothing recognized.</summary>
    public Func<RecognizeRequest, string?>? TranscribeWith { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public IReadOnlyList<TokenRequest> TokenRequests => tokenRequests.ToArray();

    public IReadOnlyList<RecognizeRequest> Recognitions => recognitions.ToArray();

    public IReadOnlyList<SynthesizeRequest> Syntheses => syntheses.ToArray();

    /// <param name="time">The clock the assertion's iat/exp and the tokens' lifetime are checked against (the app's clock
    /// when a test fakes it); the system clock by default.</param>
    public static async Task<FakeGoogleCloudServer> StartAsync(TimeProvider? time = null)
    {
        var server = new FakeGoogleCloudServer(LoopbackHost.Create(), time ?? TimeProvider.System);
        server.app.MapPost("/token", server.TokenAsync);
        server.app.MapPost("/v1/speech:recognize", server.RecognizeAsync);
        server.app.MapPost("/v1/text:synthesize", server.SynthesizeAsync);
        server.app.MapFallback(server.NotFoundAsync);
        server.BaseUrl = new Uri(await LoopbackHost.StartAsync(server.app));
        return server;
    }

    /// <summary>A service account JSON key file (as the Cloud console downloads it) for the fake's test key pair.</summary>
    public string ServiceAccountJson(string clientEmail = DefaultClientEmail) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = "voiceagent-test",
        ["private_key_id"] = keyId,
        ["private_key"] = key.ExportPkcs8PrivateKeyPem() + "\n",
        ["client_email"] = clientEmail,
        ["client_id"] = "104729583629104857362",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = TokenUri.AbsoluteUri,
        ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
        ["client_x509_cert_url"] = "https://www.googleapis.com/robot/v1/metadata/x509/" + Uri.EscapeDataString(clientEmail),
        ["universe_domain"] = "googleapis.com",
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>A key of the same shape whose signatures the fake does not accept (a deleted or foreign key).</summary>
    public static string ForeignServiceAccountJson(Uri tokenUri)
    {
        using var other = RSA.Create(2048);
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "voiceagent-test",
            ["private_key_id"] = "0000000000000000000000000000000000000000",
            ["private_key"] = other.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = DefaultClientEmail,
            ["token_uri"] = tokenUri.AbsoluteUri,
        }.ToJsonString();
    }

    /// <summary>Scripts the next recognitions, in order; null or "" recognizes nothing (a response without results).</summary>
    public void EnqueueTranscripts(params string?[] texts)
    {
        foreach (var text in texts)
        {
            transcripts.Enqueue(text);
        }
    }

    /// <summary>The next API requests (either method) fail like this, in order, before anything else is checked but the token.</summary>
    public void Fail(params Failure[] next)
    {
        foreach (var failure in next)
        {
            failures.Enqueue(failure);
        }
    }

    /// <summary>The next token requests fail: 400/401 with <c>invalid_grant</c>, other statuses with Google's error page JSON.</summary>
    public void FailToken(params Failure[] next)
    {
        foreach (var failure in next)
        {
            tokenFailures.Enqueue(failure);
        }
    }

    /// <summary>Every access token issued so far stops working (the API answers 401 UNAUTHENTICATED).</summary>
    public void RevokeTokens() => tokens.Clear();

    private async Task TokenAsync(HttpContext http)
    {
        Record(http);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
        var grant = form?["grant_type"].ToString();
        var assertion = form?["assertion"].ToString();
        var (claims, signed, problem) = ReadAssertion(assertion);
        tokenRequests.Enqueue(new TokenRequest(grant, claims, signed));

        if (tokenFailures.TryDequeue(out var failure))
        {
            await TokenErrorAsync(http, failure.Status, failure.Status is 400 or 401 ? "invalid_grant" : "internal_failure",
                failure.Message ?? "Scripted failure.");
            return;
        }

        if (grant != JwtBearerGrant)
        {
            await TokenErrorAsync(http, 400, "unsupported_grant_type", $"Invalid grant_type: {grant}");
            return;
        }

        if (problem is not null)
        {
            await TokenErrorAsync(http, 400, "invalid_grant", problem);
            return;
        }

        var token = $"ya29.fake-{Interlocked.Increment(ref issued)}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";
        tokens[token] = time.GetUtcNow().AddSeconds(3599);
        await http.Response.WriteAsJsonAsync(new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    /// <summary>The claims and whether the RS256 signature verifies with the test key; a problem text as Google words it.</summary>
    private (JsonObject? Claims, bool Signed, string? Problem) ReadAssertion(string? assertion)
    {
        var parts = assertion?.Split('.');
        if (parts is not { Length: 3 })
        {
            return (null, false, "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        }

        JsonObject? header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0])) as JsonObject;
            claims = JsonNode.Parse(Base64Url(parts[1])) as JsonObject;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return (null, false, "Invalid JWT: malformed.");
        }

        var signed = (string?)header?["alg"] == "RS256" && key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (!signed || claims is null)
        {
            return (claims, false, "Invalid JWT Signature.");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var iat = (long?)claims["iat"];
        var exp = (long?)claims["exp"];
        if (iat is null || exp is null || exp <= now - 60 || iat > now + 300 || exp - iat > 3600)
        {
            return (claims, true, "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        }

        if ((string?)claims["aud"] is not { } audience || !Audiences.Contains(audience) && audience != TokenUri.AbsoluteUri)
        {
            return (claims, true, "Invalid JWT: Failed audience check.");
        }

        if (((string?)claims["scope"])?.Split(' ').Contains(CloudPlatformScope) != true)
        {
            return (claims, true, "Invalid OAuth scope or ID token audience provided.");
        }

        return (claims, true, null);
    }

    private async Task RecognizeAsync(HttpContext http)
    {
        if (await AdmitAsync(http) is not { } body)
        {
            return;
        }

        var config = body["config"] as JsonObject;
        var content = (string?)body["audio"]?["content"];
        byte[] audio;
        try
        {
            audio = Convert.FromBase64String(content ?? "");
        }
        catch (FormatException)
        {
            await ErrorAsync(http, 400, "Invalid value at 'audio.content' (TYPE_BYTES), Base64 decoding failed.");
            return;
        }

        var request = new RecognizeRequest((string?)config?["encoding"], (int?)config?["sampleRateHertz"], (string?)config?["languageCode"], audio);
        recognitions.Enqueue(request);
        if (string.IsNullOrEmpty(request.LanguageCode))
        {
            await ErrorAsync(http, 400, "Invalid recognition 'config': missing language_code.");
            return;
        }

        if (request.Encoding == "LINEAR16" && request.SampleRateHertz is not (>= 8000 and <= 48000))
        {
            await ErrorAsync(http, 400, "sample_rate_hertz must be between 8000 and 48000 for LINEAR16.");
            return;
        }

        var text = transcripts.TryDequeue(out var scripted) ? scripted : TranscribeWith?.Invoke(request);
        var answer = new JsonObject
        {
            ["totalBilledTime"] = $"{Math.Max(1, (int)Math.Ceiling(audio.Length / 16000.0))}s",
            ["requestId"] = Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrEmpty(text))
        {
            answer["results"] = new JsonArray(new JsonObject
            {
                ["alternatives"] = new JsonArray(new JsonObject { ["transcript"] = text, ["confidence"] = 0.92 }),
                ["resultEndTime"] = $"{audio.Length / 16000.0:0.000}s".Replace(',', '.'),
                ["languageCode"] = request.LanguageCode!.ToLowerInvariant(),
            });
        }

        await http.Response.WriteAsJsonAsync(answer);
    }

    private async Task SynthesizeAsync(HttpContext http)
    {
        if (await AdmitAsync(http) is not { } body)
        {
            return;
        }

        var request = new SynthesizeRequest((string?)body["input"]?["text"], (string?)body["voice"]?["name"], (string?)body["voice"]?["languageCode"],
            (string?)body["audioConfig"]?["audioEncoding"], (int?)body["audioConfig"]?["sampleRateHertz"]);
        syntheses.Enqueue(request);
        if (string.IsNullOrEmpty(request.Text))
        {
            await ErrorAsync(http, 400, "Either `input.text` or `input.ssml` needs to be set.");
            return;
        }

        if (Encoding.UTF8.GetByteCount(request.Text) > 5000)
        {
            await ErrorAsync(http, 400, "Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes.");
            return;
        }

        if (request.VoiceName is { } name && !GermanVoice().IsMatch(name))
        {
            await ErrorAsync(http, 400, $"Voice '{name}' does not exist. Is it misspelled?");
            return;
        }

        if (request.AudioEncoding is not ("MULAW" or "LINEAR16"))
        {
            await ErrorAsync(http, 400, $"This fake speaks MULAW and LINEAR16 only, not {request.AudioEncoding}.");
            return;
        }

        var rate = request.SampleRateHertz ?? 24_000;
        var samples = Tone(rate, request.Text.Length * SecondsPerCharacter);
        var wav = request.AudioEncoding == "MULAW" ? Wav(7, rate, 8, MuLawBytes(samples)) : Wav(1, rate, 16, PcmBytes(samples));
        await http.Response.WriteAsJsonAsync(new JsonObject { ["audioContent"] = Convert.ToBase64String(wav) });
    }

    /// <summary>Records the request, checks the Bearer token and the scripted failures; the JSON body when admitted.</summary>
    private async Task<JsonObject?> AdmitAsync(HttpContext http)
    {
        Record(http);
        var authorization = http.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !tokens.TryGetValue(authorization[7..], out var expires)
            || expires <= time.GetUtcNow())
        {
            await ErrorAsync(http, 401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
                + "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
            return null;
        }

        if (failures.TryDequeue(out var failure))
        {
            if (failure.RetryAfterSeconds is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await ErrorAsync(http, failure.Status, failure.Message ?? "Scripted failure.");
            return null;
        }

        try
        {
            if (await JsonNode.ParseAsync(http.Request.Body) is JsonObject body)
            {
                return body;
            }
        }
        catch (JsonException)
        {
            // answered below
        }

        await ErrorAsync(http, 400, "Invalid JSON payload received.");
        return null;
    }

    private Task NotFoundAsync(HttpContext http)
    {
        Record(http);
        return ErrorAsync(http, 404, "Requested entity was not found.");
    }

    private void Record(HttpContext http) =>
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Request.Headers.Authorization.FirstOrDefault()));

    private static Task ErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = StatusWord(status) },
        });
    }

    private static Task TokenErrorAsync(HttpContext http, int status, string error, string description)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = error, ["error_description"] = description });
    }

    private static string StatusWord(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };

    [GeneratedRegex("^de-DE-(Standard|Wavenet|Neural2|Polyglot|Studio)-[A-H]$")]
    private static partial Regex GermanVoice();

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    private static short[] Tone(int rate, double seconds)
    {
        var samples = new short[(int)(rate * seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate));
        }

        return samples;
    }

    private static byte[] PcmBytes(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        }

        return bytes;
    }

    /// <summary>G.711 μ-law (the reference encoder; kept here so the fake does not test the app with the app's own code).</summary>
    private static byte[] MuLawBytes(short[] samples)
    {
        var bytes = new byte[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            int sample = samples[i];
            var sign = sample < 0 ? 0x80 : 0;
            var magnitude = Math.Min(Math.Abs(sample), 32635) + 0x84;
            var exponent = 7;
            for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
            {
                exponent--;
            }

            var mantissa = (magnitude >> (exponent + 3)) & 0x0F;
            bytes[i] = (byte)~(sign | (exponent << 4) | mantissa);
        }

        return bytes;
    }

    /// <summary>A RIFF/WAVE file as Google sends it: for μ-law (format 7) an 18-byte fmt chunk and a fact chunk.</summary>
    private static byte[] Wav(ushort format, int rate, ushort bits, byte[] data)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        var fmtSize = format == 1 ? 16 : 18;
        var factSize = format == 1 ? 0 : 12;
        writer.Write("RIFF"u8);
        writer.Write(4 + 8 + fmtSize + factSize + 8 + data.Length);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(fmtSize);
        writer.Write(format);
        writer.Write((ushort)1);
        writer.Write(rate);
        writer.Write(rate * bits / 8);
        writer.Write((ushort)(bits / 8));
        writer.Write(bits);
        if (format != 1)
        {
            writer.Write((ushort)0);
            writer.Write("fact"u8);
            writer.Write(4);
            writer.Write(data.Length);
        }

        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        writer.Flush();
        return stream.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        key.Dispose();
    }
}
