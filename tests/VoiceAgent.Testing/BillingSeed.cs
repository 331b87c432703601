using Npgsql;

namespace VoiceAgent.Testing;

/// <summary>Billing test data written as the schema owner (no row-level security): tenants, plans, usage, packages.</summary>
public sealed class BillingSeed(PostgresServer database)
{
    public async Task<Guid> TenantAsync(string company, string country = "DE", string? vatId = null, string status = "approved")
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO tenants (id, company_name, contact_person, email, street, house_number, postal_code, city, country, phone, tax_number, vat_id,
                                 status, created_at, status_changed_at)
            VALUES (@id, @company, 'Erika Mustermann', @email, 'Hauptstraße', '12a', '80331', 'München', @country, '+49 89 1234567', '143/123/45678', @vat,
                    @status, now(), now())
            """, ("id", id), ("company", company), ("email", $"{id:N}@test.local"), ("country", country), ("vat", (object?)vatId ?? DBNull.Value),
            ("status", status));
        return id;
    }

    /// <returns>The plan's id.</returns>
    public async Task<Guid> PlanAsync(string name, long baseFeeCents, int includedBot, int includedForward, decimal botRateCents, decimal forwardRateCents,
        string increment = "minute", DateOnly? validFrom = null)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO billing_plans (id, name, created_at) VALUES (@id, @name, now())", ("id", id), ("name", name));
        await ExecuteAsync("""
            INSERT INTO billing_plan_versions (id, plan_id, version, base_fee_cents, included_bot_minutes, included_forward_minutes, bot_rate_cents,
                                               forward_rate_cents, increment, valid_from, created_at)
            VALUES (@vid, @id, 1, @fee, @bot, @fwd, @botRate, @fwdRate, @inc, @from, now())
            """, ("vid", Guid.NewGuid()), ("id", id), ("fee", baseFeeCents), ("bot", includedBot), ("fwd", includedForward), ("botRate", botRateCents),
            ("fwdRate", forwardRateCents), ("inc", increment), ("from", validFrom ?? new DateOnly(2020, 1, 1)));
        return id;
    }

    public Task AssignAsync(Guid tenantId, Guid planId, DateOnly start) =>
        ExecuteAsync("INSERT INTO tenant_plans (id, tenant_id, plan_id, start_date, created_at) VALUES (@id, @t, @p, @s, now())",
            ("id", Guid.NewGuid()), ("t", tenantId), ("p", planId), ("s", start));

    /// <summary>One call with one usage record of the kind ("bot" or "forward").</summary>
    public async Task UsageAsync(Guid tenantId, string kind, DateTimeOffset start, int seconds)
    {
        var callId = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO calls (id, tenant_id, provider, provider_call_id, to_number, mode, status, started_at)
            VALUES (@id, @t, 'twilio', @ref, '+4930123456', 'gather', 'completed', @start);
            INSERT INTO usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds)
            VALUES (@t, @id, 'twilio', @kind, @ref, '+4930123456', @start, @start + make_interval(secs => @seconds), @seconds)
            """, ("id", callId), ("t", tenantId), ("ref", "CA" + callId.ToString("N")), ("start", start.ToUniversalTime()), ("kind", kind), ("seconds", seconds));
    }

    public async Task<Guid> GrantedPackageAsync(Guid tenantId, int minutes, DateOnly validUntil, DateTimeOffset purchasedAt)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO package_purchases (id, tenant_id, name, minutes, price_cents, valid_until, source, purchased_at)
            VALUES (@id, @t, 'Testpaket', @m, 0, @until, 'admin', @at)
            """, ("id", id), ("t", tenantId), ("m", minutes), ("until", validUntil), ("at", purchasedAt.ToUniversalTime()));
        return id;
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }
}
