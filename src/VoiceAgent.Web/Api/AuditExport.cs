using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Resources;
using VoiceAgent.Web.Admin;

namespace VoiceAgent.Web.Api;

/// <summary>The audit log as CSV, with the audit page's filters (<c>/admin/audit/export.csv?tenant=…&amp;actor=…&amp;action=…&amp;from=…&amp;to=…</c>).</summary>
public static class AuditExport
{
    public const string Path = "/admin/audit/export.csv";

    public static void MapAuditExport(this IEndpointRouteBuilder routes) =>
        routes.MapGet(Path, ExportAsync)
            .WithName("ExportAudit").WithTags("Admin")
            .RequireAuthorization(PortalSecurity.SuperAdminPolicy);

    internal static async Task ExportAsync(HttpContext context, VoiceAgentDb db, TimeProvider time, string? tenant, string? actor, string? action,
        string? from, string? to, CancellationToken ct)
    {
        var filter = AuditFilter.FromQuery(tenant, actor, action, from, to);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{time.GetUtcNow():yyyyMMdd-HHmm}.csv\"";
        await AuditCsv.WriteAsync(context.Response.Body, AuditQueries.AllAsync(db, filter),
            a => Texts.Has("Audit." + a) ? Texts.Get("Audit." + a) : a, ct);
    }
}
