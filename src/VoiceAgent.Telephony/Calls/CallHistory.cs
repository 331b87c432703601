using System.Globalization;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The call list's filters, as the page's query string carries them (<c>/app/calls?outcome=handoff&amp;from=2026-12-01</c>)
/// so dashboard tiles can link to a filtered list. Dates are days in the business's time zone; <see cref="To"/> is inclusive.
/// </summary>
public sealed record CallFilter(DateOnly? From = null, DateOnly? To = null, string? Outcome = null, string? Number = null)
{
    public const string Path = "/app/calls";

    /// <summary>Reads the query values; anything unreadable counts as "no filter" rather than an error.</summary>
    public static CallFilter Parse(string? from, string? to, string? outcome, string? number)
    {
        var f = Date(from);
        var t = Date(to);
        if (f is { } a && t is { } b && b < a)
        {
            (f, t) = (t, f);
        }

        return new(f, t, Text(outcome), Text(number));

        static DateOnly? Date(string? s) =>
            DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

        static string? Text(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
    }

    /// <summary>The list's address with these filters (no query string without filters).</summary>
    public string ToUrl()
    {
        var parts = new List<string>();
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("outcome", Outcome);
        Add("number", Number);
        return parts.Count == 0 ? Path : Path + "?" + string.Join('&', parts);

        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }
    }

    /// <summary>Applies the filters; runs under row-level security, so only the signed-in tenant's calls are there at all.</summary>
    public IQueryable<Call> Apply(IQueryable<Call> calls)
    {
        if (From is { } from)
        {
            var start = StartOfDay(from);
            calls = calls.Where(c => c.StartedAt >= start);
        }

        if (To is { } to)
        {
            var end = StartOfDay(to.AddDays(1));
            calls = calls.Where(c => c.StartedAt < end);
        }

        if (Outcome is { } outcome)
        {
            calls = calls.Where(c => c.Outcome == outcome);
        }

        if (Number is { } number)
        {
            calls = calls.Where(c => c.ToNumber == number);
        }

        return calls;
    }

    private static DateTimeOffset StartOfDay(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, BusinessTime.ZoneInfo.GetUtcOffset(local)).ToUniversalTime();
    }
}

/// <summary>One line of the call list. <see cref="Outcome"/> is the flow node the call ended at, <see cref="OutcomeType"/> its
/// activity type in the flow version the call ran (null when unknown), so the page can name it ("Übergabe · handoff").</summary>
public sealed record CallRow(Guid Id, DateTimeOffset StartedAt, string? FromNumber, string ToNumber, int? DurationSeconds, int BotSeconds,
    int ForwardSeconds, string Status, string? Outcome, bool Running, string? OutcomeType = null);

/// <summary>One transcript line of the detail page; <see cref="LatencyMs"/> is set on the first agent line of a measured turn.</summary>
public sealed record CallTurnLine(string Role, string Text, string? NodeId, DateTimeOffset At, int? LatencyMs)
{
    public bool IsCaller => Role == TranscriptRole.Caller.Name;
}

/// <summary>A node the call's flow session went through, with its activity type from the flow version the call ran.</summary>
public sealed record CallPathStep(string NodeId, string? Type);

/// <summary>An appointment the call's flow booked (sandbox calendar or a connected one).</summary>
/// <param name="Sandbox">Booked into the sandbox calendar ("Testkalender"), not a connected one.</param>
public sealed record CallBooking(string Title, DateTimeOffset StartAt, DateTimeOffset EndAt, string Status, bool Sandbox = false);

public sealed record CallDetailView(CallRow Call, string Mode, IReadOnlyList<int> LatenciesMs, int? MeanLatencyMs, int? P95LatencyMs,
    IReadOnlyList<CallTurnLine> Transcript, IReadOnlyList<CallPathStep> Path, IReadOnlyList<CallBooking> Bookings);

/// <summary>The tenant's call history for the portal: the filtered, paged list and one call's detail.</summary>
public static class CallHistory
{
    /// <summary>A call with no end this long after its start is a lost status callback, not a live call.</summary>
    private static readonly TimeSpan LiveWindow = TimeSpan.FromHours(4);

    public static async Task<(List<CallRow> Rows, int Total)> PageAsync(VoiceAgentDb db, CallFilter filter, int page, int pageSize,
        bool ascending, CancellationToken ct)
    {
        var query = filter.Apply(db.Calls.AsNoTracking());
        var total = await query.CountAsync(ct);
        var ordered = ascending ? query.OrderBy(c => c.StartedAt).ThenBy(c => c.Id) : query.OrderByDescending(c => c.StartedAt).ThenByDescending(c => c.Id);
        var calls = await ordered.Skip(Math.Max(0, page) * pageSize).Take(Math.Clamp(pageSize, 1, 200)).ToListAsync(ct);
        var ids = calls.Select(c => c.Id).ToList();
        var usage = await db.UsageRecords.AsNoTracking().Where(u => ids.Contains(u.CallId))
            .GroupBy(u => new { u.CallId, u.Kind }).Select(g => new { g.Key.CallId, g.Key.Kind, Seconds = g.Sum(u => u.Seconds) }).ToListAsync(ct);
        var outcomeTypes = await OutcomeTypesAsync(db, calls, ct);
        return (calls.Select(c => Row(c,
            usage.Where(u => u.CallId == c.Id && u.Kind == UsageKinds.Bot).Sum(u => u.Seconds),
            usage.Where(u => u.CallId == c.Id && u.Kind == UsageKinds.Forward).Sum(u => u.Seconds)) with { OutcomeType = outcomeTypes.GetValueOrDefault(c.Id) }).ToList(), total);
    }

    /// <summary>The activity type of each call's outcome node, from the flow version its session ran (one query per page).</summary>
    private static async Task<Dictionary<Guid, string>> OutcomeTypesAsync(VoiceAgentDb db, IReadOnlyList<Call> calls, CancellationToken ct)
    {
        var sessionIds = calls.Where(c => c.Outcome is not null && c.SessionId is not null).Select(c => c.SessionId!.Value).Distinct().ToList();
        if (sessionIds.Count == 0)
        {
            return [];
        }

        var sessions = await db.FlowSessions.AsNoTracking().Where(s => sessionIds.Contains(s.Id))
            .Select(s => new { s.Id, s.VersionId }).ToDictionaryAsync(s => s.Id, s => s.VersionId, ct);
        var versionIds = sessions.Values.Distinct().ToList();
        var definitions = await db.FlowVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id))
            .Select(v => new { v.Id, v.Definition }).ToDictionaryAsync(v => v.Id, v => NodeTypes(v.Definition), ct);
        var result = new Dictionary<Guid, string>();
        foreach (var call in calls)
        {
            if (call is { Outcome: { } node, SessionId: { } session } && sessions.TryGetValue(session, out var version)
                && definitions.TryGetValue(version, out var types) && types.TryGetValue(node, out var type))
            {
                result[call.Id] = type;
            }
        }

        return result;
    }

    /// <summary>Node id → activity type of a stored definition; empty when it no longer parses.</summary>
    internal static Dictionary<string, string> NodeTypes(string? definitionJson)
    {
        if (definitionJson is null)
        {
            return [];
        }

        try
        {
            return FlowJson.Parse(definitionJson).Nodes.GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First().Type);
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    public static Task<int> LiveCountAsync(VoiceAgentDb db, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - LiveWindow;
        return db.Calls.CountAsync(c => c.EndedAt == null && c.StartedAt > since, ct);
    }

    /// <summary>The outcomes and dialled numbers the tenant's calls have, for the filter choices.</summary>
    public static async Task<(List<string> Outcomes, List<string> Numbers)> ChoicesAsync(VoiceAgentDb db, CancellationToken ct)
    {
        var outcomes = await db.Calls.Where(c => c.Outcome != null).Select(c => c.Outcome!).Distinct().OrderBy(o => o).ToListAsync(ct);
        var numbers = await db.Calls.Select(c => c.ToNumber).Union(db.PhoneNumbers.Where(n => n.ReleasedAt == null).Select(n => n.Number))
            .Distinct().OrderBy(n => n).ToListAsync(ct);
        return (outcomes, numbers);
    }

    /// <summary>One call with transcript, latencies, path and booking; null when it is not the signed-in tenant's (RLS hides it).</summary>
    public static async Task<CallDetailView?> DetailAsync(VoiceAgentDb db, Guid id, CancellationToken ct)
    {
        var call = await db.Calls.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (call is null)
        {
            return null;
        }

        var usage = await db.UsageRecords.AsNoTracking().Where(u => u.CallId == id).ToListAsync(ct);
        var row = Row(call, usage.Where(u => u.Kind == UsageKinds.Bot).Sum(u => u.Seconds), usage.Where(u => u.Kind == UsageKinds.Forward).Sum(u => u.Seconds));
        var session = call.SessionId is { } sessionId ? await db.FlowSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct) : null;
        var instance = session is null ? null : FlowInstance.FromJson(session.State);
        var transcript = instance?.Transcript ?? [];
        var latencies = call.TurnLatenciesMs;

        List<CallPathStep> path = [];
        List<CallBooking> bookings = [];
        if (session is not null && instance is not null)
        {
            var definition = await db.FlowVersions.AsNoTracking().Where(v => v.Id == session.VersionId).Select(v => v.Definition).SingleOrDefaultAsync(ct);
            path = Path(instance, definition);
            row = row with { OutcomeType = call.Outcome is { } node ? path.LastOrDefault(p => p.NodeId == node)?.Type ?? NodeTypes(definition).GetValueOrDefault(node) : null };
            bookings = await BookingsAsync(db, instance.Id, ct);
        }

        return new CallDetailView(row, call.Mode, latencies, Mean(latencies), P95(latencies), Turns(transcript, latencies), path, bookings);
    }

    /// <summary>
    /// Puts each measured latency on the agent's answer it belongs to. A turn is a run of agent lines; gather mode measures
    /// every turn (the greeting too), realtime mode only the answers to the caller, so the latencies belong to the last turns.
    /// </summary>
    internal static List<CallTurnLine> Turns(IReadOnlyList<TranscriptEntry> transcript, IReadOnlyList<int> latencies)
    {
        var starts = new List<int>();
        for (var i = 0; i < transcript.Count; i++)
        {
            if (transcript[i].Role == TranscriptRole.Agent && (i == 0 || transcript[i - 1].Role != TranscriptRole.Agent))
            {
                starts.Add(i);
            }
        }

        var offset = Math.Max(0, starts.Count - latencies.Count);
        var byLine = new Dictionary<int, int>();
        for (var k = 0; k < latencies.Count && offset + k < starts.Count; k++)
        {
            byLine[starts[offset + k]] = latencies[k];
        }

        return transcript.Select((t, i) => new CallTurnLine(t.Role.Name, t.Text, t.NodeId, t.At, byLine.TryGetValue(i, out var ms) ? ms : null)).ToList();
    }

    internal static int? Mean(IReadOnlyList<int> values) => values.Count == 0 ? null : (int)Math.Round(values.Average(), MidpointRounding.AwayFromZero);

    /// <summary>Nearest-rank 95th percentile.</summary>
    internal static int? P95(IReadOnlyList<int> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(0.95 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The nodes the session spoke or listened at, in order, ending with the node it stopped at.</summary>
    internal static List<CallPathStep> Path(FlowInstance instance, string? definitionJson)
    {
        var ids = new List<string>();
        foreach (var id in instance.Transcript.Select(t => t.NodeId).Append(instance.CurrentNodeId))
        {
            if (!string.IsNullOrEmpty(id) && (ids.Count == 0 || ids[^1] != id))
            {
                ids.Add(id);
            }
        }

        // A version that no longer parses still shows the node ids.
        var types = NodeTypes(definitionJson);
        return ids.Select(id => new CallPathStep(id, types.GetValueOrDefault(id))).ToList();
    }

    /// <summary>The booking activity keys its requests "instanceId:start", in the sandbox and in connected calendars alike.</summary>
    private static async Task<List<CallBooking>> BookingsAsync(VoiceAgentDb db, string instanceId, CancellationToken ct)
    {
        var prefix = instanceId + ":";
        var sandbox = await db.SandboxEvents.AsNoTracking().Where(e => e.IdempotencyKey.StartsWith(prefix))
            .Select(e => new CallBooking(e.Title, e.StartAt, e.EndAt, e.Status, true)).ToListAsync(ct);
        var connected = await db.CalendarBookings.AsNoTracking().Where(b => b.IdempotencyKey.StartsWith(prefix))
            .Select(b => new CallBooking(b.Title, b.StartAt, b.EndAt, b.Status)).ToListAsync(ct);
        return [.. sandbox.Concat(connected).OrderBy(b => b.StartAt)];
    }

    private static CallRow Row(Call c, int bot, int forward) =>
        new(c.Id, c.StartedAt, c.FromNumber, c.ToNumber, c.DurationSeconds, bot, forward, c.Status, c.Outcome, c.EndedAt is null);
}
