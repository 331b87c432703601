using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Telephony.Sipgate;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Telephony;

/// <summary>
/// Lets a sipgate push through only when it comes from sipgate's addresses and carries sipgate's signature over the exact
/// bytes received (API-CONTRACTS.md §2.3); only then is the body parsed. Anything else is refused before it is read
/// (source) or parsed (signature), so nothing of it is stored. The endpoint reads the push with <see cref="PushOf"/>.
/// </summary>
public sealed class SipgatePushGuard(SipgateSignatureVerifier verifier, SipgateSourceCheck sources, ILogger logger) : IEndpointFilter
{
    /// <summary>A real push is well under 2 KB; anything near this is not one.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly object PushKey = new();

    /// <summary>Binds and validates <see cref="SipgatePushOptions"/> at start-up: a bad key or address stops the host.</summary>
    public static SipgatePushGuard Create(IServiceProvider services)
    {
        var options = new SipgatePushOptions();
        services.GetRequiredService<IConfiguration>().GetSection(SipgatePushOptions.Section).Bind(options);
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new OptionsValidationException(SipgatePushOptions.Section, typeof(SipgatePushOptions),
                problems.Select(p => $"{SipgatePushOptions.Section}: {p.ErrorMessage}"));
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<SipgatePushGuard>();
        if (options.TrustedProxies.Length > 0)
        {
            logger.LogWarning("Sipgate:Push:TrustedProxies is no longer read: configure the proxies once in ForwardedHeaders:KnownProxies / ForwardedHeaders:KnownNetworks");
        }

        var verifier = options.CreateVerifier();
        logger.LogInformation("sipgate pushes are verified with the key whose SPKI SHA-256 is {Fingerprint}",
            Convert.ToHexStringLower(SHA256.HashData(verifier.SubjectPublicKeyInfo.Span)));
        return new SipgatePushGuard(verifier, options.CreateSourceCheck(), logger);
    }

    public static SipgatePush PushOf(HttpContext context) =>
        context.Items[PushKey] as SipgatePush ?? throw new InvalidOperationException("The endpoint is not behind SipgatePushGuard.");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // The client address as the trusted-proxy middleware resolved it (ForwardedHeaders:KnownProxies/KnownNetworks);
        // an X-Forwarded-For the sender wrote itself is never read here.
        var remote = http.Connection.RemoteIpAddress;
        if (!sources.IsAllowed(remote, forwardedFor: null))
        {
            logger.LogWarning("sipgate push refused: source {Remote} is not allowed", remote);
            return Problems.Status(StatusCodes.Status403Forbidden, Texts.Get("Problem.Forbidden"));
        }

        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            logger.LogWarning("sipgate push refused: body over {Max} bytes", MaxBodyBytes);
            return Problems.Status(StatusCodes.Status413PayloadTooLarge, Texts.Get("Problem.TooLarge"));
        }

        var signature = verifier.Verify(body, http.Request.Headers[SipgateSignatureVerifier.HeaderName].ToString());
        if (signature != SipgateSignatureCheck.Valid)
        {
            logger.LogWarning("sipgate push refused: signature {Check}", signature);
            return Problems.Status(StatusCodes.Status403Forbidden, Texts.Get("Telephony.SignatureInvalid"));
        }

        var parsed = SipgatePush.Parse(body);
        if (!parsed.IsSuccess)
        {
            // Signed by sipgate, yet unreadable: a contract change to look at, not an attack.
            logger.LogError("sipgate push not understood: {Error}", parsed.Error);
            return Problems.Status(StatusCodes.Status400BadRequest, Texts.Get("Problem.BadRequest"));
        }

        http.Items[PushKey] = parsed.Push;
        return await next(context);
    }

    /// <summary>The raw bytes as received (the signature covers exactly these), or null past <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var body = new MemoryStream();
        var buffer = new byte[8 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }
}
