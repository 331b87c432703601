-- The setup wizard a newly approved tenant admin sees first (issue #15): which step is open and what each finished step
-- left for the next one. One row per tenant; it survives reloads and restarts, so the wizard resumes where it was left.
-- The steps' own results live with their modules (numbers, speech, prompt, calendar, flows); this row only remembers the
-- choices the later steps need and when each step was finished.
CREATE TABLE setup_wizards (
    tenant_id          uuid          PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    step               smallint      NOT NULL DEFAULT 1 CHECK (step BETWEEN 1 AND 5),
    number             varchar(20),
    number_account     varchar(16)   CHECK (number_account IN ('platform_twilio', 'own_twilio', 'sipgate')),
    number_done_at     timestamptz,
    speech_done_at     timestamptz,
    prompt_done_at     timestamptz,
    calendar_done_at   timestamptz,
    flow_id            uuid          REFERENCES flows (id) ON DELETE SET NULL,
    published_at       timestamptz,
    test_call_at       timestamptz,
    skipped_at         timestamptz,
    completed_at       timestamptz,
    updated_at         timestamptz   NOT NULL
);

ALTER TABLE setup_wizards ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON setup_wizards USING (app_is_platform() OR tenant_id = app_tenant_id())
    WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id());
