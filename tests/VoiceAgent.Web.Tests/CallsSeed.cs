using Npgsql;
using NpgsqlTypes;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Web.Tests;

/// <summary>Inserts finished calls as the schema owner (no provider round trips), optionally with their flow session.</summary>
public sealed class CallsSeed(string ownerConnectionString)
{
    public static readonly TranscriptRole Caller = new("Caller");

    /// <summary>A finished gather-mode call on the tenant's live flow; the session is stored when <paramref name="instance"/> is given.</summary>
    public async Task<Guid> CallAsync(Guid tenantId, string to, string? outcome, DateTimeOffset startedAt, int[]? latencies = null,
        FlowInstance? instance = null)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        Guid? flowId = null;
        Guid? sessionId = null;
        await using (var find = new NpgsqlCommand("SELECT flow_id, id FROM flow_versions WHERE tenant_id = @t AND status = 'live' LIMIT 1", connection))
        {
            find.Parameters.AddWithValue("t", tenantId);
            await using var reader = await find.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                flowId = reader.GetGuid(0);
                if (instance is not null)
                {
                    sessionId = Guid.NewGuid();
                    var versionId = reader.GetGuid(1);
                    await reader.CloseAsync();
                    await using var session = new NpgsqlCommand("""
                        INSERT INTO flow_sessions (id, tenant_id, flow_id, version_id, kind, status, caller_number, state, created_at, updated_at)
                        VALUES (@id, @t, @f, @v, 'call', 'completed', '+491701234567', @state, @at, @at)
                        """, connection);
                    session.Parameters.AddWithValue("id", sessionId.Value);
                    session.Parameters.AddWithValue("t", tenantId);
                    session.Parameters.AddWithValue("f", flowId.Value);
                    session.Parameters.AddWithValue("v", versionId);
                    session.Parameters.AddWithValue("state", NpgsqlDbType.Jsonb, instance.ToJson());
                    session.Parameters.AddWithValue("at", startedAt.ToUniversalTime());
                    await session.ExecuteNonQueryAsync();
                }
            }
        }

        var id = Guid.NewGuid();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO calls (id, tenant_id, provider, provider_call_id, flow_id, session_id, from_number, to_number, mode, status, outcome,
                               started_at, ended_at, duration_seconds, turn_latencies_ms)
            VALUES (@id, @t, 'twilio', @sid, @f, @s, '+491701234567', @to, 'gather', 'completed', @o, @at, @at + interval '95 seconds', 95, @lat)
            """, connection);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("sid", "CA" + id.ToString("n"));
        cmd.Parameters.AddWithValue("f", (object?)flowId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("s", (object?)sessionId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.AddWithValue("o", (object?)outcome ?? DBNull.Value);
        cmd.Parameters.AddWithValue("at", startedAt.ToUniversalTime());
        cmd.Parameters.AddWithValue("lat", latencies ?? []);
        await cmd.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>A sandbox appointment booked by the flow run <paramref name="instanceId"/> (the booking activity's key).</summary>
    public async Task BookingAsync(Guid tenantId, string instanceId, string title, DateTimeOffset start)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sandbox_events (id, tenant_id, start_at, end_at, title, caller_number, status, idempotency_key, created_at)
            VALUES (gen_random_uuid(), @t, @start, @start + interval '30 minutes', @title, '+491701234567', 'confirmed', @key, now())
            """, connection);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("start", start.ToUniversalTime());
        cmd.Parameters.AddWithValue("title", title);
        cmd.Parameters.AddWithValue("key", $"{instanceId}:{start.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A booking conversation: greeting, request, offer, confirmation; it ends at "booked".</summary>
    public static FlowInstance BookingConversation(DateTimeOffset start) => new()
    {
        Status = FlowStatus.Completed,
        CurrentNodeId = "booked",
        Transcript =
        [
            new(TranscriptRole.Agent, "Guten Tag, hier ist der digitale Assistent.", "greeting", start),
            new(TranscriptRole.Agent, "Wie kann ich helfen?", "intent", start.AddSeconds(1)),
            new(Caller, "Ich möchte einen Termin", "intent", start.AddSeconds(5)),
            new(TranscriptRole.Agent, "Der nächste freie Termin wäre am Dienstag um 10 Uhr. Passt das?", "offer", start.AddSeconds(6)),
            new(Caller, "Ja, gerne", "confirm", start.AddSeconds(10)),
            new(TranscriptRole.Agent, "Ihr Termin ist eingetragen.", "booked", start.AddSeconds(11)),
        ],
    };
}
