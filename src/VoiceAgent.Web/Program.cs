using VoiceAgent.Billing;
using VoiceAgent.Calendars;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Jobs;
using VoiceAgent.Platform.Observability;
using VoiceAgent.Platform.Portal;
using VoiceAgent.Telephony;
using VoiceAgent.Web.Api;
using VoiceAgent.Web.Components;
using VoiceAgent.Web.Dashboards;
using VoiceAgent.Web.Privacy;
using VoiceAgent.Web.Setup;

var builder = WebApplication.CreateBuilder(args);

// The shared kernel, then one line per feature module; each registers its services, jobs and endpoints in one place.
builder.Services.AddVoiceAgentPlatform(builder.Configuration)
    .AddCallFlows(builder.Configuration)
    .AddCalendars(builder.Configuration)
    .AddTelephony(builder.Configuration)
    .AddBilling(builder.Configuration);
builder.AddObservability();
builder.AddHttpHardening();
builder.AddPortalSecurity();
builder.AddPortalLocalization();
builder.AddApiConventions();
builder.AddRateLimits();
builder.AddJobs();
builder.Services.AddPortal().AddHostPortal().AddDashboards().AddSetupWizard();
builder.Services.AddPrivacy(builder.Configuration);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();

app.UseObservability();
app.UseHttpHardening();
app.UseApiExceptionHandling();
app.UseRequestLimits();
app.UseStaticFiles();
app.MapStaticAssets();
app.UseWebSockets();
app.UsePortalLocalization();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimits();
app.UseTenantScope();
app.UseAntiforgery();

app.MapHealthApi();
app.MapAuthApi();
app.MapAccountApi();
app.MapAdminApi();
app.MapTenantApi();
app.MapSetupApi();
app.MapPrivacyApi();
app.MapCallFlows();
app.MapCalendars();
app.MapTelephony();
app.MapBilling();
app.MapJobsDashboard();
app.MapPortalEndpoints();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .AddAdditionalAssemblies(app.Services.GetServices<PortalModule>().PageAssemblies(typeof(Program).Assembly));

app.Run();

public partial class Program;
