-- Phone numbers bound to a tenant's flow (history kept), calls and usage records (bot and forward seconds).

CREATE TABLE phone_numbers (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number      varchar(16) NOT NULL CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
    provider    varchar(10) NOT NULL CHECK (provider IN ('twilio', 'sipgate')),
    flow_id     uuid NOT NULL REFERENCES flows (id),
    bound_at    timestamptz NOT NULL,
    bound_by    varchar(256),
    released_at timestamptz,
    released_by varchar(256)
);
-- A number is active for at most one tenant at a time, across all tenants (a misrouted call reaches a stranger).
CREATE UNIQUE INDEX ux_phone_numbers_active ON phone_numbers (number) WHERE released_at IS NULL;
CREATE INDEX ix_phone_numbers_tenant ON phone_numbers (tenant_id, number);

CREATE TABLE calls (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider           varchar(10) NOT NULL,
    provider_call_id   varchar(80) NOT NULL,
    phone_number_id    uuid REFERENCES phone_numbers (id),
    flow_id            uuid REFERENCES flows (id) ON DELETE SET NULL,
    session_id         uuid REFERENCES flow_sessions (id) ON DELETE SET NULL,
    from_number        varchar(40),
    to_number          varchar(16) NOT NULL,
    mode               varchar(10) NOT NULL CHECK (mode IN ('gather', 'realtime', 'sipgate')),
    status             varchar(16) NOT NULL,
    outcome            varchar(40),
    started_at         timestamptz NOT NULL,
    ended_at           timestamptz,
    duration_seconds   integer,
    turn_latencies_ms  integer[] NOT NULL DEFAULT '{}',
    CONSTRAINT ux_calls_provider_id UNIQUE (provider, provider_call_id)
);
CREATE INDEX ix_calls_tenant_started ON calls (tenant_id, started_at DESC);

-- Billing reads these. A provider id per record makes duplicate and out-of-order callbacks idempotent.
CREATE TABLE usage_records (
    id            bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    call_id       uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    provider      varchar(10) NOT NULL,
    kind          varchar(8) NOT NULL CHECK (kind IN ('bot', 'forward')),
    provider_ref  varchar(80) NOT NULL,
    number        varchar(16) NOT NULL,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz NOT NULL,
    seconds       integer NOT NULL CHECK (seconds >= 0),
    CONSTRAINT ux_usage_records_ref UNIQUE (provider, kind, provider_ref)
);
CREATE INDEX ix_usage_records_tenant_started ON usage_records (tenant_id, started_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['phone_numbers', 'calls', 'usage_records']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_is_platform() OR tenant_id = app_tenant_id()) '
                       'WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- Inbound routing knows only the dialled number. This definer function answers exactly that lookup (tenant, status and
-- flow of the active binding) without giving webhooks platform-wide read access.
CREATE FUNCTION route_number(p_number text)
    RETURNS TABLE (tenant_id uuid, tenant_status varchar, phone_number_id uuid, flow_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT n.tenant_id, t.status, n.id, n.flow_id
     FROM phone_numbers n JOIN tenants t ON t.id = n.tenant_id
    WHERE n.number = p_number AND n.released_at IS NULL $$;

-- Provider callbacks (status, dial action) name a call by the provider's id; this finds its tenant.
CREATE FUNCTION call_tenant(p_provider text, p_provider_call_id text)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT tenant_id FROM calls WHERE provider = p_provider AND provider_call_id = p_provider_call_id $$;
