-- Foundation schema: tenants, users (ASP.NET Core Identity), audit log, provider settings, Data Protection key ring.
-- Row-level security is the fail-closed backstop for tenant isolation: the app connects as a non-owner role and sets
-- app.tenant_id (or app.platform for super-admin work) per transaction; with neither set, tenant-owned tables return no rows.

CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_is_platform() RETURNS boolean
    LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

CREATE TABLE tenants (
    id              uuid PRIMARY KEY,
    company_name    varchar(200) NOT NULL,
    contact_person  varchar(200) NOT NULL,
    email           varchar(256) NOT NULL,
    street          varchar(200) NOT NULL,
    house_number    varchar(20)  NOT NULL,
    postal_code     varchar(10)  NOT NULL,
    city            varchar(100) NOT NULL,
    country         char(2)      NOT NULL,
    phone           varchar(32)  NOT NULL,
    tax_number      varchar(40),
    vat_id          varchar(20),
    website         varchar(300),
    industry        varchar(100),
    status          varchar(16)  NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    status_reason   varchar(1000),
    created_at      timestamptz  NOT NULL,
    status_changed_at timestamptz NOT NULL
);
CREATE INDEX ix_tenants_status_created ON tenants (status, created_at DESC);

CREATE TABLE users (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid REFERENCES tenants (id) ON DELETE CASCADE,
    role                    varchar(16) NOT NULL CHECK (role IN ('SuperAdmin', 'TenantAdmin', 'TenantUser')),
    display_name            varchar(200) NOT NULL,
    dev_seeded              boolean NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL,
    user_name               varchar(256),
    normalized_user_name    varchar(256),
    email                   varchar(256),
    normalized_email        varchar(256),
    email_confirmed         boolean NOT NULL,
    password_hash           text,
    security_stamp          text,
    concurrency_stamp       text,
    phone_number            text,
    phone_number_confirmed  boolean NOT NULL,
    two_factor_enabled      boolean NOT NULL,
    lockout_end             timestamptz,
    lockout_enabled         boolean NOT NULL,
    access_failed_count     integer NOT NULL,
    CONSTRAINT ck_users_tenant_role CHECK ((role = 'SuperAdmin') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX ux_users_normalized_user_name ON users (normalized_user_name);
CREATE UNIQUE INDEX ux_users_normalized_email ON users (normalized_email);
CREATE INDEX ix_users_tenant ON users (tenant_id);

CREATE TABLE user_claims (
    id          serial PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    claim_type  text,
    claim_value text
);
CREATE INDEX ix_user_claims_user ON user_claims (user_id);

CREATE TABLE user_logins (
    login_provider        varchar(128) NOT NULL,
    provider_key          varchar(128) NOT NULL,
    provider_display_name text,
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (login_provider, provider_key)
);
CREATE INDEX ix_user_logins_user ON user_logins (user_id);

CREATE TABLE user_tokens (
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    login_provider varchar(128) NOT NULL,
    name           varchar(128) NOT NULL,
    value          text,
    PRIMARY KEY (user_id, login_provider, name)
);

CREATE TABLE audit_entries (
    id          bigserial PRIMARY KEY,
    tenant_id   uuid REFERENCES tenants (id) ON DELETE SET NULL,
    actor_id    uuid,
    actor_email varchar(256),
    action      varchar(64)  NOT NULL,
    details     varchar(2000),
    reason      varchar(1000),
    at          timestamptz  NOT NULL
);
CREATE INDEX ix_audit_entries_at ON audit_entries (at DESC);
CREATE INDEX ix_audit_entries_tenant ON audit_entries (tenant_id, at DESC);

-- Platform-wide provider credentials, encrypted with ASP.NET Data Protection; only a hint (prefix…suffix) is readable.
CREATE TABLE provider_settings (
    key             varchar(100) PRIMARY KEY,
    protected_value text         NOT NULL,
    hint            varchar(40)  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    updated_by      varchar(256)
);

-- Data Protection key ring shared by all nodes.
CREATE TABLE data_protection_keys (
    id            serial PRIMARY KEY,
    friendly_name varchar(200) NOT NULL,
    xml           text         NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ux_data_protection_keys_name ON data_protection_keys (friendly_name);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (app_is_platform() OR id = app_tenant_id())
    WITH CHECK (app_is_platform() OR id = app_tenant_id());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (app_is_platform() OR tenant_id = app_tenant_id())
    WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id());

ALTER TABLE audit_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_entries
    USING (app_is_platform() OR tenant_id = app_tenant_id())
    WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id());

-- Identity's satellite tables follow their user's visibility (the sub-select is itself filtered by users' policy).
ALTER TABLE user_claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_claims
    USING (user_id IN (SELECT id FROM users)) WITH CHECK (user_id IN (SELECT id FROM users));
ALTER TABLE user_logins ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_logins
    USING (user_id IN (SELECT id FROM users)) WITH CHECK (user_id IN (SELECT id FROM users));
ALTER TABLE user_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_tokens
    USING (user_id IN (SELECT id FROM users)) WITH CHECK (user_id IN (SELECT id FROM users));

-- Email addresses are unique across the platform. A tenant-scoped transaction cannot see other tenants' users, so this
-- narrow definer function answers only "is the address taken" (the unique index remains the race-proof backstop).
CREATE FUNCTION normalized_email_in_use(p_normalized_email text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM users WHERE normalized_email = p_normalized_email) $$;
