using Npgsql;
using NpgsqlTypes;
using VoiceAgent.Platform;

namespace VoiceAgent.Benchmarks.Portal;

/// <summary>What the seeder wrote, for the driver's consistency checks (computed here, independently of the queries).</summary>
internal sealed record SeededCall(int Tenant, DateTimeOffset StartedAt, int BotSeconds, int ForwardSeconds);

internal sealed record PortalData(IReadOnlyList<Guid> Tenants, IReadOnlyList<SeededCall> Calls, int Invoices);

/// <summary>
/// Portal-sized data for the dashboard queries, written with COPY (Npgsql binary import) as the schema owner: tenants
/// (one plan each, a package for every fourth), one live flow per tenant, calls over the last 60 days before
/// <c>now</c> (skewed towards a few busy tenants) each with a flow session whose variables say whether it asked for or
/// booked an appointment, a bot usage record per answered call plus a forward record for some, and monthly invoices of
/// the last months (finalized, a few drafts). Deterministic (fixed random seed).
/// </summary>
internal static class PortalDataSeeder
{
    private static readonly string[] Statuses = ["completed", "busy", "no-answer", "failed", "canceled"];

    private static readonly string[] Variables =
    [
        """{"intent": "book_appointment", "slots": [], "event": {"id": "e"}}""",
        """{"intent": "book_appointment", "slots": []}""",
        """{"intent": "human"}""",
        """{"intent": "query_appointments"}""",
        """{"intent": "goodbye"}""",
    ];

    private const string Issuer = """{"name": "VoiceAgent Benchmark GmbH", "street": "Musterstraße 1", "postalCode": "10115", "city": "Berlin", "country": "DE"}""";

    public static async Task<PortalData> SeedAsync(string ownerConnectionString, DateTimeOffset now, int tenants, int calls, int invoices)
    {
        var random = new Random(42);
        await using var connection = new NpgsqlConnection(ownerConnectionString + ";Command Timeout=0");
        await connection.OpenAsync();
        await ExecuteAsync(connection, """
            TRUNCATE tenants, flows, flow_versions, flow_sessions, calls, usage_records, billing_plans, billing_plan_versions, tenant_plans,
                     package_purchases, package_consumptions, invoices, invoice_lines, lexoffice_transmissions RESTART IDENTITY CASCADE
            """);

        var tenantIds = Enumerable.Range(0, tenants).Select(_ => Guid.NewGuid()).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync("""
                         COPY tenants (id, company_name, contact_person, email, street, house_number, postal_code, city, country, phone, status,
                                       created_at, status_changed_at) FROM STDIN (FORMAT BINARY)
                         """))
        {
            for (var i = 0; i < tenants; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(tenantIds[i], NpgsqlDbType.Uuid);
                foreach (var text in new[] { $"Mandant {i:0000}", "Erika Muster", $"m{i}@bench.local", "Straße", "1", "10115", "Berlin", "DE", "+4930123456" })
                {
                    await writer.WriteAsync(text, NpgsqlDbType.Varchar);
                }

                await writer.WriteAsync(i % 25 == 0 ? "pending" : "approved", NpgsqlDbType.Varchar);
                await writer.WriteAsync(now.AddDays(-400), NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now.AddDays(-400), NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        // Plans, flows and packages are few: plain SQL from the tenants.
        await ExecuteAsync(connection, """
            INSERT INTO billing_plans (id, name, created_at) VALUES ('00000000-0000-0000-0000-0000000000b1', 'Standard', now());
            INSERT INTO billing_plan_versions (id, plan_id, version, base_fee_cents, included_bot_minutes, included_forward_minutes, bot_rate_cents,
                                               forward_rate_cents, increment, valid_from, created_at)
            VALUES (gen_random_uuid(), '00000000-0000-0000-0000-0000000000b1', 1, 4900, 300, 60, 12, 9, 'minute', '2020-01-01', now());
            INSERT INTO tenant_plans (id, tenant_id, plan_id, start_date, created_at)
            SELECT gen_random_uuid(), id, '00000000-0000-0000-0000-0000000000b1', '2024-01-01', now() FROM tenants WHERE status = 'approved';
            INSERT INTO package_purchases (id, tenant_id, name, minutes, price_cents, valid_until, source, purchased_at)
            SELECT gen_random_uuid(), id, 'Paket', 500, 0, '2099-12-31', 'admin', now() - interval '100 days'
              FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tenants) t WHERE n % 4 = 0;
            INSERT INTO flows (id, tenant_id, name, created_at, updated_at) SELECT id, id, 'Terminannahme', now(), now() FROM tenants;
            INSERT INTO flow_versions (id, tenant_id, flow_id, version, status, definition, created_at, updated_at)
            SELECT id, id, id, 1, 'live', '{}', now(), now() FROM tenants;
            """);

        // Calls, their sessions and usage records. Flow and version ids equal the tenant id (set above).
        var seeded = new List<SeededCall>(calls);
        var callIds = new Guid[calls];
        await using (var sessions = await connection.BeginBinaryImportAsync(
                         "COPY flow_sessions (id, tenant_id, flow_id, version_id, kind, status, state, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < calls; i++)
            {
                // Skewed: the square of a uniform number favours low tenant indexes (a few busy tenants, a long tail).
                var tenant = Math.Min(tenants - 1, (int)(tenants * Math.Pow(random.NextDouble(), 2)));
                var start = now.AddSeconds(-1 - random.NextInt64(60L * 24 * 3600));
                var status = random.Next(100) switch { < 85 => 0, < 90 => 1, < 95 => 2, < 98 => 3, _ => 4 };
                var bot = status == 0 ? 20 + random.Next(580) : 0;
                var forward = status == 0 && random.Next(100) < 15 ? 30 + random.Next(870) : 0;
                seeded.Add(new SeededCall(tenant, start, bot, forward));
                callIds[i] = Guid.NewGuid();
                var id = tenantIds[tenant];
                await sessions.StartRowAsync();
                await sessions.WriteAsync(callIds[i], NpgsqlDbType.Uuid); // session id = call id
                await sessions.WriteAsync(id, NpgsqlDbType.Uuid);
                await sessions.WriteAsync(id, NpgsqlDbType.Uuid);
                await sessions.WriteAsync(id, NpgsqlDbType.Uuid);
                await sessions.WriteAsync("call", NpgsqlDbType.Varchar);
                await sessions.WriteAsync("completed", NpgsqlDbType.Varchar);
                // As FlowInstance writes it (the status as a number), so the call detail page can read the session.
                await sessions.WriteAsync($$"""{"status": {{(int)VoiceAgent.Flows.Runtime.FlowStatus.Completed}}, "variables": {{Variables[random.Next(Variables.Length)]}}}""",
                    NpgsqlDbType.Jsonb);
                await sessions.WriteAsync(start, NpgsqlDbType.TimestampTz);
                await sessions.WriteAsync(start, NpgsqlDbType.TimestampTz);
            }

            await sessions.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("""
                         COPY calls (id, tenant_id, provider, provider_call_id, to_number, mode, status, started_at, ended_at, duration_seconds,
                                     session_id, turn_latencies_ms) FROM STDIN (FORMAT BINARY)
                         """))
        {
            for (var i = 0; i < calls; i++)
            {
                var call = seeded[i];
                var seconds = call.BotSeconds + call.ForwardSeconds;
                await writer.StartRowAsync();
                await writer.WriteAsync(callIds[i], NpgsqlDbType.Uuid);
                await writer.WriteAsync(tenantIds[call.Tenant], NpgsqlDbType.Uuid);
                await writer.WriteAsync("twilio", NpgsqlDbType.Varchar);
                await writer.WriteAsync("CA" + callIds[i].ToString("N"), NpgsqlDbType.Varchar);
                await writer.WriteAsync("+4930123456", NpgsqlDbType.Varchar);
                await writer.WriteAsync("gather", NpgsqlDbType.Varchar);
                await writer.WriteAsync(Statuses[call.BotSeconds > 0 ? 0 : 1 + i % 4], NpgsqlDbType.Varchar);
                await writer.WriteAsync(call.StartedAt, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(call.StartedAt.AddSeconds(seconds), NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(seconds, NpgsqlDbType.Integer);
                await writer.WriteAsync(callIds[i], NpgsqlDbType.Uuid);
                var turns = call.BotSeconds > 0 ? 3 + random.Next(6) : 0;
                await writer.WriteAsync(Enumerable.Range(0, turns).Select(_ => 200 + random.Next(1300)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY usage_records (tenant_id, call_id, provider, kind, provider_ref, number, started_at, ended_at, seconds) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < calls; i++)
            {
                var call = seeded[i];
                foreach (var (kind, seconds) in new[] { ("bot", call.BotSeconds), ("forward", call.ForwardSeconds) })
                {
                    if (seconds == 0)
                    {
                        continue;
                    }

                    await writer.StartRowAsync();
                    await writer.WriteAsync(tenantIds[call.Tenant], NpgsqlDbType.Uuid);
                    await writer.WriteAsync(callIds[i], NpgsqlDbType.Uuid);
                    await writer.WriteAsync("twilio", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(kind, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(kind + callIds[i].ToString("N"), NpgsqlDbType.Varchar);
                    await writer.WriteAsync("+4930123456", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(call.StartedAt, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(call.StartedAt.AddSeconds(seconds), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(seconds, NpgsqlDbType.Integer);
                }
            }

            await writer.CompleteAsync();
        }

        // Monthly invoices: one per tenant and period, going back month by month from the last one (at most one live
        // monthly invoice per tenant and period). Invoice date = 1st of the following month, due 14 days later; every
        // tenth of the newest month a draft.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, BusinessTime.ZoneInfo).DateTime);
        var lastPeriod = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        await using (var writer = await connection.BeginBinaryImportAsync("""
                         COPY invoices (id, tenant_id, kind, status, period, service_from, service_until, number, number_year, number_seq, invoice_date,
                                        due_date, finalized_at, issuer, recipient, net_cents, tax_rate_percent, tax_cents, gross_cents, tax_rule, created_at,
                                        updated_at) FROM STDIN (FORMAT BINARY)
                         """))
        {
            for (var i = 0; i < invoices; i++)
            {
                var period = lastPeriod.AddMonths(-(i / tenants));
                var draft = i / tenants == 0 && i % 10 == 0;
                var net = 4900L + random.Next(20000);
                var tax = (long)Math.Round(net * 0.19m, MidpointRounding.AwayFromZero);
                var invoiceDate = period.AddMonths(1);
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(tenantIds[i % tenants], NpgsqlDbType.Uuid);
                await writer.WriteAsync("monthly", NpgsqlDbType.Varchar);
                await writer.WriteAsync(draft ? "draft" : "finalized", NpgsqlDbType.Varchar);
                await writer.WriteAsync(period, NpgsqlDbType.Date);
                await writer.WriteAsync(period, NpgsqlDbType.Date);
                await writer.WriteAsync(period.AddMonths(1).AddDays(-1), NpgsqlDbType.Date);
                if (draft)
                {
                    for (var n = 0; n < 6; n++)
                    {
                        await writer.WriteNullAsync();
                    }
                }
                else
                {
                    await writer.WriteAsync($"BENCH-{i:000000}", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(2099, NpgsqlDbType.Integer);
                    await writer.WriteAsync(i + 1, NpgsqlDbType.Integer);
                    await writer.WriteAsync(invoiceDate, NpgsqlDbType.Date);
                    await writer.WriteAsync(invoiceDate.AddDays(14), NpgsqlDbType.Date);
                    await writer.WriteAsync(now.AddDays(-1), NpgsqlDbType.TimestampTz);
                }

                // Issuer and recipient as InvoiceParty JSON, so the invoice pages (portal-pages) can show them.
                await writer.WriteAsync(Issuer, NpgsqlDbType.Jsonb);
                await writer.WriteAsync($$"""{"name": "Mandant {{i % tenants:0000}}", "street": "Straße 1", "postalCode": "10115", "city": "Berlin", "country": "DE"}""",
                    NpgsqlDbType.Jsonb);
                await writer.WriteAsync(net, NpgsqlDbType.Bigint);
                await writer.WriteAsync(19m, NpgsqlDbType.Numeric);
                await writer.WriteAsync(tax, NpgsqlDbType.Bigint);
                await writer.WriteAsync(net + tax, NpgsqlDbType.Bigint);
                await writer.WriteAsync("domestic", NpgsqlDbType.Varchar);
                await writer.WriteAsync(now.AddDays(-1), NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now.AddDays(-1), NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        await ExecuteAsync(connection, "VACUUM ANALYZE");
        return new PortalData(tenantIds, seeded, invoices);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
