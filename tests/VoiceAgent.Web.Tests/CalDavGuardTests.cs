using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// A CalDAV server the tenant names may not steer us into our network or flood us: an href it returns to a private host
/// and an answer over 5 MiB are refused with a clear German error, nothing is stored.
/// </summary>
public sealed class CalDavGuardTests : IntegrationTest
{
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false", ["Calendars:RunWorker"] = "false" };

    [Fact]
    public async Task A_calendar_href_to_a_private_host_is_refused_with_a_german_error()
    {
        await using var dav = await DavServerAsync(_ => Multistatus("""
            <d:response><d:href>/dav/</d:href><d:propstat><d:prop>
              <d:current-user-principal><d:href>https://10.1.2.3/principals/anna/</d:href></d:current-user-principal>
            </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
            """));
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");

        var response = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav", new { url = dav.Url + "/dav/", username = "anna", password = "geheim-123" });

        var error = Assert.Single((await FieldErrors(response))["url"]);
        Assert.Contains("nicht öffentlich erreichbar", error);
        Assert.Equal(1, dav.Requests); // the private principal was never asked
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.connect_refused'"));
    }

    [Fact]
    public async Task A_caldav_answer_over_five_mebibytes_is_refused_with_a_german_error()
    {
        var huge = "<d:response><d:href>/dav/x</d:href></d:response>" + new string(' ', 5 * 1024 * 1024);
        await using var dav = await DavServerAsync(_ => Multistatus(huge));
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");

        var response = await admin.PostAsJsonAsync("/api/tenant/connectors/caldav", new { url = dav.Url + "/dav/", username = "anna", password = "geheim-123" });

        Assert.Contains("größer als 5 MB", Assert.Single((await FieldErrors(response))["url"]));
        Assert.Equal(1, dav.Requests); // not retried
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
    }

    private static string Multistatus(string responses) =>
        $"""<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">{responses}</d:multistatus>""";

    private static async Task<DavServer> DavServerAsync(Func<HttpContext, string> answer)
    {
        var app = LoopbackHost.Create();
        var server = new DavServer(app);
        app.Run(async context =>
        {
            server.Hit();
            context.Response.StatusCode = 207;
            context.Response.ContentType = "application/xml; charset=utf-8";
            await context.Response.WriteAsync(answer(context));
        });
        server.Url = await LoopbackHost.StartAsync(app);
        return server;
    }

    private sealed class DavServer(WebApplication app) : IAsyncDisposable
    {
        private int requests;

        public string Url { get; set; } = "";

        public int Requests => Volatile.Read(ref requests);

        public void Hit() => Interlocked.Increment(ref requests);

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
