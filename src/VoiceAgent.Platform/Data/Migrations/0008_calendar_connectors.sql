-- Calendar connectors (issue #7): a tenant's connections to Google Calendar, Microsoft 365 and CalDAV servers, the
-- server-side OAuth states of running authorizations, and the bookings made through a connection (which double as the
-- outbox a background job drains when a booking could not be finished within a call).

-- One connection per provider and tenant. protected_secret is Data-Protection ciphertext: the OAuth tokens (Google),
-- the MSAL token cache (Microsoft) or the CalDAV password; nothing readable about the grant is stored in clear.
-- "active" marks the calendar calls book into (at most one per tenant; none = the sandbox calendar).
CREATE TABLE calendar_connections (
    id               uuid          PRIMARY KEY,
    tenant_id        uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider         varchar(16)   NOT NULL CHECK (provider IN ('google', 'microsoft', 'caldav')),
    status           varchar(16)   NOT NULL CHECK (status IN ('connected', 'broken')),
    account          varchar(320)  NOT NULL,
    account_key      varchar(400),
    server_url       varchar(2000),
    protected_secret text          NOT NULL,
    calendar_id      varchar(2000),
    calendar_name    varchar(300),
    active           boolean       NOT NULL DEFAULT false,
    connected_at     timestamptz   NOT NULL,
    connected_by     varchar(256),
    updated_at       timestamptz   NOT NULL,
    last_success_at  timestamptz,
    last_error_at    timestamptz,
    last_error       varchar(500),
    broken_at        timestamptz,
    CONSTRAINT ux_calendar_connections_provider UNIQUE (tenant_id, provider),
    CONSTRAINT ck_calendar_connections_active_has_calendar CHECK (NOT active OR calendar_id IS NOT NULL)
);
CREATE UNIQUE INDEX ux_calendar_connections_one_active ON calendar_connections (tenant_id) WHERE active;

-- A running OAuth authorization: the state sent to the provider is a Data-Protection token naming tenant, user,
-- provider and this row's nonce; the row makes it single use (used_at) and short-lived (expires_at), and keeps the PKCE
-- verifier (ciphertext) and the exact redirect URI for the token exchange.
CREATE TABLE oauth_states (
    nonce                   varchar(64)   PRIMARY KEY,
    tenant_id               uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id                 uuid          NOT NULL,
    provider                varchar(16)   NOT NULL CHECK (provider IN ('google', 'microsoft')),
    protected_code_verifier text          NOT NULL,
    redirect_uri            varchar(2000) NOT NULL,
    created_at              timestamptz   NOT NULL,
    expires_at              timestamptz   NOT NULL,
    used_at                 timestamptz
);
CREATE INDEX ix_oauth_states_expires ON oauth_states (expires_at);

-- Bookings made through a connection. external_id is the client-chosen identity that makes creation idempotent at the
-- provider (Google event id, Graph transactionId, CalDAV UID). 'pending' rows are the outbox: a booking that did not
-- finish within the call's time budget is completed by the background job (next_attempt_at), and the tenant is told.
-- Pending and created bookings of one tenant never overlap, so two callers cannot both get the same slot.
CREATE TABLE calendar_bookings (
    id                uuid          PRIMARY KEY,
    tenant_id         uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id     uuid          REFERENCES calendar_connections (id) ON DELETE SET NULL,
    provider          varchar(16)   NOT NULL,
    calendar_id       varchar(2000) NOT NULL,
    idempotency_key   varchar(200)  NOT NULL,
    external_id       varchar(200)  NOT NULL,
    provider_event_id varchar(2000),
    start_at          timestamptz   NOT NULL,
    end_at            timestamptz   NOT NULL,
    time_zone         varchar(64)   NOT NULL,
    title             varchar(300)  NOT NULL,
    description       varchar(4000),
    caller_number     varchar(32),
    caller_name       varchar(200),
    caller_email      varchar(320),
    status            varchar(16)   NOT NULL CHECK (status IN ('pending', 'created', 'conflict', 'failed', 'cancelled')),
    attempts          integer       NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    last_error        varchar(500),
    deferred          boolean       NOT NULL DEFAULT false,
    created_at        timestamptz   NOT NULL,
    updated_at        timestamptz   NOT NULL,
    completed_at      timestamptz,
    CONSTRAINT ck_calendar_bookings_range CHECK (end_at > start_at),
    CONSTRAINT ux_calendar_bookings_idempotency UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT ex_calendar_bookings_overlap EXCLUDE USING gist (tenant_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status IN ('pending', 'created'))
);
CREATE INDEX ix_calendar_bookings_due ON calendar_bookings (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_calendar_bookings_tenant_start ON calendar_bookings (tenant_id, start_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['calendar_connections', 'oauth_states', 'calendar_bookings']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_is_platform() OR tenant_id = app_tenant_id()) '
                       'WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
