-- Each tenant chooses its speech engines (issue #15, wizard step 2): 'offline' (espeak-ng, no recognition: calls run in
-- gather mode), 'openai' or 'google' (the platform's keys), and the voice its calls speak with. No row: the platform
-- default (OpenAI when its key is stored, else offline).
CREATE TABLE tenant_speech (
    tenant_id  uuid         PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    provider   varchar(16)  NOT NULL CHECK (provider IN ('offline', 'openai', 'google')),
    voice      varchar(64)  NOT NULL,
    updated_at timestamptz  NOT NULL,
    updated_by varchar(256)
);

ALTER TABLE tenant_speech ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_speech USING (app_is_platform() OR tenant_id = app_tenant_id())
    WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id());
