-- Call flows with versions, simulator/call sessions, incidents, the sandbox calendar and per-tenant call settings.
-- Every table is tenant-owned and protected by row-level security like those of 0001.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE flows (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        varchar(200) NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT ux_flows_tenant_name UNIQUE (tenant_id, name)
);

CREATE TABLE flow_versions (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    flow_id      uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    status       varchar(10) NOT NULL CHECK (status IN ('draft', 'staged', 'live', 'retired')),
    definition   jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    created_by   varchar(256),
    published_at timestamptz,
    published_by varchar(256),
    CONSTRAINT ux_flow_versions_number UNIQUE (flow_id, version)
);
-- Exactly one live version per flow, even when two publishes race; at most one draft being edited.
CREATE UNIQUE INDEX ux_flow_versions_one_live ON flow_versions (flow_id) WHERE status = 'live';
CREATE UNIQUE INDEX ux_flow_versions_one_draft ON flow_versions (flow_id) WHERE status = 'draft';
CREATE INDEX ix_flow_versions_tenant ON flow_versions (tenant_id);

CREATE TABLE flow_sessions (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    flow_id       uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    version_id    uuid NOT NULL REFERENCES flow_versions (id) ON DELETE CASCADE,
    kind          varchar(16) NOT NULL CHECK (kind IN ('simulation', 'call')),
    status        varchar(16) NOT NULL,
    caller_number varchar(32),
    state         jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX ix_flow_sessions_tenant_created ON flow_sessions (tenant_id, created_at DESC);

CREATE TABLE flow_incidents (
    id          bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    flow_id     uuid REFERENCES flows (id) ON DELETE SET NULL,
    session_id  uuid,
    node_id     varchar(100),
    kind        varchar(32) NOT NULL,
    message     varchar(2000) NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX ix_flow_incidents_tenant_at ON flow_incidents (tenant_id, at DESC);

-- Business hours as JSON: { "mon": ["09:00-12:00", "13:00-17:00"], …, "sun": [] } in the tenant's time zone.
CREATE TABLE calendar_settings (
    tenant_id      uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    time_zone      varchar(64) NOT NULL DEFAULT 'Europe/Berlin',
    business_hours jsonb NOT NULL,
    slot_minutes   integer NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 5 AND 240),
    buffer_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 120),
    updated_at     timestamptz NOT NULL
);

-- The sandbox calendar: confirmed appointments of one tenant never overlap (exclusion constraint), and an
-- idempotency key books at most once.
CREATE TABLE sandbox_events (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL,
    title           varchar(300) NOT NULL,
    description     varchar(4000),
    caller_number   varchar(32),
    caller_name     varchar(200),
    status          varchar(10) NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    idempotency_key varchar(200) NOT NULL,
    created_at      timestamptz NOT NULL,
    cancelled_at    timestamptz,
    CONSTRAINT ck_sandbox_events_range CHECK (end_at > start_at),
    CONSTRAINT ux_sandbox_events_idempotency UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT ex_sandbox_events_overlap EXCLUDE USING gist (tenant_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status = 'confirmed')
);
CREATE INDEX ix_sandbox_events_caller ON sandbox_events (tenant_id, caller_number, start_at);

-- Where calls may be transferred (allow-list) and who takes a handoff. Numbers in E.164.
CREATE TABLE call_settings (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    transfer_targets text[] NOT NULL DEFAULT '{}',
    handoff_target   varchar(32),
    updated_at       timestamptz NOT NULL
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['flows', 'flow_versions', 'flow_sessions', 'flow_incidents', 'calendar_settings', 'sandbox_events', 'call_settings']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_is_platform() OR tenant_id = app_tenant_id()) '
                       'WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
