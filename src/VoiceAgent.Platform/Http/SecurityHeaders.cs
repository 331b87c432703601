using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Http;

/// <summary>How the app hardens its own responses (section <c>SecurityHeaders</c>); the defaults are what production needs.</summary>
public sealed class SecurityHeadersOptions
{
    public const string Section = "SecurityHeaders";

    /// <summary>Strict-Transport-Security max-age; sent outside Development only. Zero switches HSTS off.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Adds <c>includeSubDomains</c> to HSTS (only when every subdomain of the portal's host is HTTPS).</summary>
    public bool HstsIncludeSubDomains { get; set; }
}

/// <summary>
/// Security headers the app sends itself, with or without a proxy in front (issue #16): a Content-Security-Policy with a
/// per-request script nonce, HSTS outside Development, X-Frame-Options, X-Content-Type-Options, Referrer-Policy and a
/// Permissions-Policy that lets only the flow designer (test console recording) use the microphone. No Server header;
/// every cookie HttpOnly and, outside Development, Secure. Headers are added when the response starts, so pages, APIs,
/// static files, webhook answers and error responses (404, 413, 429, 500) all carry them.
/// </summary>
public static partial class SecurityHeaders
{
    private static readonly object NonceKey = new();

    /// <summary>The designer's test console records from the microphone; the only page the browser may ask for it.</summary>
    [GeneratedRegex("^/app/flows/[0-9a-fA-F-]{36}/designer/?$", RegexOptions.CultureInvariant)]
    public static partial Regex MicrophonePages();

    /// <summary>The CSP nonce of this request: every inline &lt;script&gt; the app renders carries <c>nonce="@nonce"</c>.</summary>
    public static string CspNonce(this HttpContext context)
    {
        if (context.Items[NonceKey] is string nonce)
        {
            return nonce;
        }

        nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        context.Items[NonceKey] = nonce;
        return nonce;
    }

    /// <summary>
    /// The portal's policy. Scripts: own files and nonce-carrying inline scripts only (the import map); Blazor Server,
    /// MudBlazor and the x6 designer bundle need neither 'unsafe-eval' nor 'wasm-unsafe-eval'. Styles: 'unsafe-inline',
    /// because Blazor/MudBlazor render style="…" attributes (colours, positions, the canvas) that cannot carry a nonce;
    /// styles cannot run script, the script policy is what stops XSS. Images and media also from data: and blob: (the
    /// setup wizard plays a WAV data URL, the test console plays back what it recorded). connect-src 'self' covers the
    /// Blazor WebSocket (CSP Level 3 matches ws:/wss: of the own origin).
    /// </summary>
    public static string PortalPolicy(string nonce) =>
        "default-src 'self'; " +
        $"script-src 'self' 'nonce-{nonce}'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; " +
        "media-src 'self' data: blob:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "worker-src 'self' blob:; " +
        "manifest-src 'self'; " +
        "frame-src 'none'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    /// <summary>Hangfire's dashboard (super-admins only) has inline scripts and handlers without nonces.</summary>
    public const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), " +
        "midi=(), payment=(), usb=(), serial=(), hid=()";

    public static readonly string DesignerPermissionsPolicy = PermissionsPolicy.Replace("microphone=()", "microphone=(self)", StringComparison.Ordinal);

    /// <summary>Kestrel without a Server header; cookie policy (HttpOnly always, Secure outside Development, SameSite at least Lax).</summary>
    public static void AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityHeadersOptions>().Bind(builder.Configuration.GetSection(SecurityHeadersOptions.Section));
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        var development = builder.Environment.IsDevelopment();
        builder.Services.Configure<CookiePolicyOptions>(o =>
        {
            o.HttpOnly = HttpOnlyPolicy.Always;
            o.Secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            // Lax still sends the sign-in cookie on the top-level GET back from Google/Microsoft (OAuth callback);
            // the antiforgery cookie keeps its own Strict.
            o.MinimumSameSitePolicy = SameSiteMode.Lax;
        });
    }

    public static void UseSecurityHeaders(this WebApplication app)
    {
        var development = app.Environment.IsDevelopment();
        var options = app.Services.GetRequiredService<IOptions<SecurityHeadersOptions>>().Value;
        var hsts = HstsValue(options);
        app.Use((context, next) =>
        {
            // The path as requested: handlers further in may move it into PathBase (Hangfire's dashboard does).
            var path = context.Request.PathBase.Add(context.Request.Path);
            context.Response.OnStarting(() =>
            {
                Apply(context, path, development ? null : hsts);
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseCookiePolicy();
    }

    private static string? HstsValue(SecurityHeadersOptions options) =>
        options.HstsMaxAge <= TimeSpan.Zero
            ? null
            : $"max-age={(long)options.HstsMaxAge.TotalSeconds}" + (options.HstsIncludeSubDomains ? "; includeSubDomains" : "");

    private static void Apply(HttpContext context, PathString path, string? hsts)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = path.StartsWithSegments(Jobs.JobsSetup.DashboardPath) ? JobsDashboardPolicy : PortalPolicy(context.CspNonce());
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = MicrophonePages().IsMatch(path.Value ?? "") ? DesignerPermissionsPolicy : PermissionsPolicy;
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (hsts is not null)
        {
            headers.StrictTransportSecurity = hsts;
        }

        headers.Remove("Server");
        headers.Remove("X-Powered-By");
    }
}
