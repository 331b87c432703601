using VoiceAgent.Platform;
using VoiceAgent.Web.Api;
using VoiceAgent.Web.Components;
using VoiceAgent.Web.Infrastructure;
using VoiceAgent.Web.Telephony;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddVoiceAgentPlatform(builder.Configuration);
builder.AddPortalSecurity();
builder.AddPortalLocalization();
builder.AddApiConventions();
builder.AddRateLimits();
builder.AddTelephony();
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
app.MapTwilioWebhooks();
app.MapSipgateWebhooks();
app.MapPortalEndpoints();
app.MapRazorComponents<App>();

app.Run();

public partial class Program;
