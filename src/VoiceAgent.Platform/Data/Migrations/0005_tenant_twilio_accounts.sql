-- A tenant may bring its own Twilio account instead of the platform's. The account SID is not secret (it appears in every
-- webhook) and belongs to at most one tenant; the auth token is Data-Protection ciphertext.
CREATE TABLE tenant_twilio_accounts (
    tenant_id            uuid         PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    account_sid          varchar(34)  NOT NULL UNIQUE,
    protected_auth_token text         NOT NULL,
    token_hint           varchar(40)  NOT NULL,
    verified_at          timestamptz  NOT NULL,
    updated_at           timestamptz  NOT NULL,
    updated_by           varchar(256)
);

ALTER TABLE tenant_twilio_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_twilio_accounts USING (app_is_platform() OR tenant_id = app_tenant_id())
    WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id());

-- Webhook signature checks know only the AccountSid of the request; this answers exactly that lookup.
CREATE FUNCTION twilio_account(p_account_sid text)
    RETURNS TABLE (tenant_id uuid, protected_auth_token text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT tenant_id, protected_auth_token FROM tenant_twilio_accounts WHERE account_sid = p_account_sid $$;

-- Whether an account SID is taken by another tenant (the unique index would only say "some tenant").
CREATE FUNCTION twilio_account_in_use(p_account_sid text, p_tenant_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT EXISTS (SELECT 1 FROM tenant_twilio_accounts WHERE account_sid = p_account_sid AND tenant_id <> p_tenant_id) $$;
