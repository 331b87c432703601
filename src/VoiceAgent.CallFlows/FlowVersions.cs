using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Diff;

namespace VoiceAgent.CallFlows;

/// <summary>
/// Reading a flow's versions as the versions endpoints and the designer's versions panel show them: the list, the diff of
/// two versions, a version as an export file. Runs on a database already in the caller's tenant scope; another tenant's
/// flow reads as missing (null).
/// </summary>
public static class FlowVersions
{
    /// <summary>A version's definition as a file: the engine format, named after the flow.</summary>
    public sealed record ExportedFile(string FileName, string Text);

    /// <summary>The flow with its versions, newest first; null when the flow does not exist (for this tenant).</summary>
    public static async Task<FlowsApi.FlowDetail?> DetailAsync(VoiceAgentDb db, Guid flowId, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == flowId, ct);
        if (flow is null)
        {
            return null;
        }

        var versions = await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == flowId).OrderByDescending(v => v.Version).ToListAsync(ct);
        return new FlowsApi.FlowDetail(flow.Id, flow.Name, versions.Select(Summary).ToList());
    }

    /// <summary>What changed from version <paramref name="from"/> to <paramref name="to"/>; null when either is missing.</summary>
    public static async Task<FlowDiffResult?> DiffAsync(VoiceAgentDb db, Guid flowId, int from, int to, CancellationToken ct)
    {
        var definitions = await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == flowId && (v.Version == from || v.Version == to))
            .ToDictionaryAsync(v => v.Version, v => v.Definition, ct);
        return definitions.TryGetValue(from, out var before) && definitions.TryGetValue(to, out var after)
            ? FlowDiff.Compare(FlowJson.Parse(before), FlowJson.Parse(after))
            : null;
    }

    /// <summary>The version as an export file; null when the flow or the version is missing.</summary>
    public static async Task<ExportedFile?> ExportAsync(VoiceAgentDb db, Guid flowId, int version, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == flowId, ct);
        var stored = flow is null ? null
            : await db.FlowVersions.AsNoTracking().Where(v => v.FlowId == flowId && v.Version == version).Select(v => v.Definition)
                .SingleOrDefaultAsync(ct);
        return flow is null || stored is null ? null : new ExportedFile(FileName(flow.Name, version), FlowJson.Write(FlowJson.Parse(stored)));
    }

    public static FlowsApi.VersionSummary Summary(FlowVersion v) =>
        new(v.Version, StatusName(v.Status), v.CreatedAt, v.UpdatedAt, v.CreatedBy, v.PublishedAt, v.PublishedBy, v.Revision);

    /// <summary>The status as the API and the designer name it: "draft", "staged", "live", "retired".</summary>
    public static string StatusName(FlowVersionStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>"Terminannahme Müller & Söhne", 3 → "Terminannahme-Mueller-Soehne-v3.json": ASCII letters, digits, '-', '_' and '.'.</summary>
    public static string FileName(string flowName, int version)
    {
        var text = flowName.Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue").Replace("Ä", "Ae").Replace("Ö", "Oe")
            .Replace("Ü", "Ue").Replace("ß", "ss").Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                builder.Append(c);
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var stem = builder.ToString().Trim('-', '.');
        stem = stem.Length > 80 ? stem[..80].TrimEnd('-', '.') : stem;
        return $"{(stem.Length == 0 ? "ablauf" : stem)}-v{version}.json";
    }
}
