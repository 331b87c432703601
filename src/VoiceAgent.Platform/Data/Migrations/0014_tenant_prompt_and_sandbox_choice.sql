-- The demo tenant wizard (issue #15), steps 3 and 4.
-- tenant_prompts: the tenant's system prompt, the base of every conversation model turn (placeholders such as
-- {{ tenant.name }} are filled when a call runs); template_key names the industry template it was started from.
CREATE TABLE tenant_prompts (
    tenant_id    uuid          PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    text         text          NOT NULL CHECK (char_length(text) BETWEEN 1 AND 20000),
    template_key varchar(40),
    updated_at   timestamptz   NOT NULL,
    updated_by   varchar(256)
);

-- The tenant chose the sandbox calendar ("Testkalender") as the calendar calls book into. Without this row a booking in
-- the sandbox is only noted: the caller is never told the appointment is booked.
CREATE TABLE sandbox_calendar_confirmations (
    tenant_id    uuid          PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    confirmed_at timestamptz   NOT NULL,
    confirmed_by varchar(256)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_prompts', 'sandbox_calendar_confirmations']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_is_platform() OR tenant_id = app_tenant_id()) '
                       'WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
