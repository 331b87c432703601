using VoiceAgent.Platform;
using VoiceAgent.Web.Api;
using VoiceAgent.Web.Billing;
using VoiceAgent.Web.Components;
using VoiceAgent.Web.Infrastructure;
using VoiceAgent.Web.Jobs;
using VoiceAgent.Web.Telephony;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddVoiceAgentPlatform(builder.Configuration);
builder.AddPortalSecurity();
builder.AddPortalLocalization();
builder.AddApiConventions();
builder.AddRateLimits();
builder.AddTelephony();
builder.AddBilling();
builder.AddJobs();
builder.AddConnectors();
builder.Services.AddRazorComponents();

var app = builder.Build();

app.UseApiExceptionHandling();
app.UseRequestLimits();
app.UseStaticFiles();
app.UseWebSockets();
app.UsePortalLocalization();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseTenantScope();
app.UseAntiforgery();

app.MapHealthApi();
app.MapAuthApi();
app.MapAdminApi();
app.MapTenantApi();
app.MapFlowsApi();
app.MapTelephonyApi();
app.MapCallSettingsApi();
app.MapConnectorsApi();
app.MapTwilioWebhooks();
app.MapSipgateWebhooks();
app.MapBillingEndpoints();
app.MapJobsDashboard();
app.MapPortalEndpoints();
app.MapRazorComponents<App>();

app.Run();

public partial class Program;
