namespace VoiceAgent.Testing;

/// <summary>Calls (with usage and a flow session) and invoices written as the schema owner, for dashboards and lists.</summary>
public static class PortalSeed
{
    /// <summary>A live one-node flow to attach sessions to.</summary>
    public static async Task<(Guid Flow, Guid Version)> FlowAsync(this BillingSeed seed, Guid tenantId)
    {
        var (flow, version) = (Guid.NewGuid(), Guid.NewGuid());
        await seed.ExecuteAsync("""
            INSERT INTO flows (id, tenant_id, name, created_at, updated_at) VALUES (@f, @t, 'Terminannahme', now(), now());
            INSERT INTO flow_versions (id, tenant_id, flow_id, version, status, definition, created_at, updated_at)
            VALUES (@v, @t, @f, 1, 'live', '{}', now(), now());
            """, ("f", flow), ("v", version), ("t", tenantId));
        return (flow, version);
    }

    /// <summary>One call with its bot and forward usage; with a session whose variables tell what the caller wanted.</summary>
    public static async Task<Guid> CallAsync(this BillingSeed seed, Guid tenantId, DateTimeOffset start, string status, int bot = 0, int forward = 0,
        ((Guid Flow, Guid Version) Flow, string Variables)? session = null, int[]? latencies = null)
    {
        var call = Guid.NewGuid();
        object sessionId = DBNull.Value;
        if (session is { } run)
        {
            sessionId = Guid.NewGuid();
            await seed.ExecuteAsync("""
                INSERT INTO flow_sessions (id, tenant_id, flow_id, version_id, kind, status, state, created_at, updated_at)
                VALUES (@id, @t, @f, @v, 'call', 'completed', jsonb_build_object('status', 2, 'variables', @vars::jsonb), @at, @at)
                """, ("id", sessionId), ("t", tenantId), ("f", run.Flow.Flow), ("v", run.Flow.Version), ("vars", run.Variables), ("at", start));
        }

        await seed.ExecuteAsync("""
            INSERT INTO calls (id, tenant_id, provider, provider_call_id, to_number, mode, status, started_at, ended_at, duration_seconds, session_id,
                               turn_latencies_ms)
            VALUES (@id, @t, 'twilio', @ref, '+4930123456', 'gather', @status, @start, @start + make_interval(secs => @d), @d, @session, @lat)
            """, ("id", call), ("t", tenantId), ("ref", "CA" + call.ToString("N")), ("status", status), ("start", start), ("d", bot + forward),
            ("session", sessionId), ("lat", latencies ?? []));
        foreach (var (kind, seconds) in new[] { ("bot", bot), ("forward", forward) }.Where(u => u.Item2 > 0))
        {
            await seed.ExecuteAsync("""
                INSERT INTO usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds)
                VALUES (@t, @c, 'twilio', @kind, @ref, '+4930123456', @start, @start + make_interval(secs => @s), @s)
                """, ("t", tenantId), ("c", call), ("kind", kind), ("ref", kind + call.ToString("N")), ("start", start), ("s", seconds));
        }

        return call;
    }

    /// <summary>An invoice row as billing stores it (numbered unless a draft); <paramref name="sequence"/> makes the number unique.</summary>
    public static async Task<Guid> InvoiceAsync(this BillingSeed seed, int sequence, Guid tenantId, string kind, string status, DateOnly period,
        DateOnly? invoiceDate, DateOnly? dueDate, long netCents, long taxCents, Guid? purchase = null, Guid? cancels = null)
    {
        var id = Guid.NewGuid();
        var draft = status == "draft";
        await seed.ExecuteAsync("""
            INSERT INTO invoices (id, tenant_id, kind, status, period, service_from, service_until, number, number_year, number_seq, invoice_date,
                                  due_date, finalized_at, purchase_id, cancels_invoice_id, issuer, recipient, net_cents, tax_rate_percent, tax_cents,
                                  gross_cents, tax_rule, created_at, updated_at)
            VALUES (@id, @t, @kind, @status, @period, @period, (@period::date + interval '1 month' - interval '1 day')::date, @number, @year, @seq,
                    @date, @due, @finalized, @purchase, @cancels, '{}', '{}', @net, 19, @tax, @gross, 'domestic', now(), now())
            """, ("id", id), ("t", tenantId), ("kind", kind), ("status", status), ("period", period),
            ("number", draft ? DBNull.Value : $"VA-{period.Year}-{sequence:00000}"), ("year", draft ? DBNull.Value : period.Year),
            ("seq", draft ? DBNull.Value : sequence),
            ("date", (object?)invoiceDate ?? DBNull.Value), ("due", (object?)dueDate ?? DBNull.Value),
            ("finalized", draft ? DBNull.Value : DateTimeOffset.UtcNow), ("purchase", (object?)purchase ?? DBNull.Value),
            ("cancels", (object?)cancels ?? DBNull.Value), ("net", netCents), ("tax", taxCents), ("gross", netCents + taxCents));
        return id;
    }
}
