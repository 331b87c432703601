using Microsoft.AspNetCore.Identity;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Http;

public static class PortalSecurity
{
    public const string Scheme = "VoiceAgent";
    public const string SuperAdminPolicy = "SuperAdmin";
    public const string TenantMemberPolicy = "TenantMember";
    public const string TenantAdminPolicy = "TenantAdmin";

    /// <summary>The account page: password and two-factor authentication (enrolment is required for super-admins).</summary>
    public const string EnrolmentPath = "/account/security";

    /// <summary>Identity with a cookie for the portal and the built-in bearer tokens for the API, chosen per request.</summary>
    public static void AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpContextAccessor();
        new IdentityBuilder(typeof(AppUser), services)
            .AddSignInManager<AppSignInManager>()
            .AddClaimsPrincipalFactory<AppClaimsPrincipalFactory>();
        services.AddScoped<ISecurityStampValidator, PlatformScopedSecurityStampValidator>();
        services.AddScoped<ITwoFactorSecurityStampValidator, PlatformScopedTwoFactorSecurityStampValidator>();
        services.AddScoped<PortalSignIn>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromHours(1);
                o.Events.OnMessageReceived = BearerStampCheck.OnMessageReceived;
            })
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "voiceagent.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            o.AccessDeniedPath = "/forbidden";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context => ApiAware(context.HttpContext, StatusCodes.Status401Unauthorized, context.RedirectUri);
            // A super-admin who has not enrolled an authenticator yet has no role: every page is forbidden but the enrolment.
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context.HttpContext, StatusCodes.Status403Forbidden,
                context.HttpContext.User.HasClaim(AppClaimsPrincipalFactory.TwoFactorEnrolmentClaim, "true") ? EnrolmentPath : context.RedirectUri);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(SuperAdminPolicy, p => p.RequireRole(Roles.SuperAdmin))
            .AddPolicy(TenantMemberPolicy, p => p.RequireRole(Roles.TenantAdmin, Roles.TenantUser).RequireClaim(AppClaimsPrincipalFactory.TenantIdClaim))
            .AddPolicy(TenantAdminPolicy, p => p.RequireRole(Roles.TenantAdmin).RequireClaim(AppClaimsPrincipalFactory.TenantIdClaim));

        services.AddAntiforgery(o => o.Cookie.Name = "voiceagent.af");
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = RequestLimits.MaxBody);
    }

    // API clients get a status code (with a problem body written by the status-code pages), the portal a redirect.
    private static Task ApiAware(HttpContext context, int statusCode, string redirectUri)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = statusCode;
            return Task.CompletedTask;
        }

        context.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }
}
