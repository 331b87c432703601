-- Jobs move from Quartz.NET to Hangfire. Hangfire keeps its own tables in the schema "hangfire"; `voiceagent db migrate`
-- installs and upgrades them after these migrations (Hangfire.PostgreSql's installer) and grants the app role DML on them.
DROP TABLE IF EXISTS qrtz_fired_triggers, qrtz_simple_triggers, qrtz_simprop_triggers, qrtz_cron_triggers, qrtz_blob_triggers,
    qrtz_triggers, qrtz_job_details, qrtz_calendars, qrtz_paused_trigger_grps, qrtz_scheduler_state, qrtz_locks CASCADE;

-- A Lexoffice transmission whose job used up all its automatic retries ends as 'gave_up' (reason in last_error) until an
-- operator sends it again by hand.
ALTER TABLE lexoffice_transmissions DROP CONSTRAINT IF EXISTS lexoffice_transmissions_state_check;
ALTER TABLE lexoffice_transmissions ADD CONSTRAINT lexoffice_transmissions_state_check
    CHECK (state IN ('pending', 'sent', 'failed', 'gave_up'));
ALTER TABLE lexoffice_transmissions ADD COLUMN gave_up_at timestamptz;

-- Mail outbox: a mail is stored in the same transaction as the change it reports and sent after commit by a Hangfire job
-- (a rolled-back change sends nothing). Platform table (no tenant_id: the operator's sending queue, never shown to tenants).
CREATE TABLE mail_outbox (
    id          uuid PRIMARY KEY,
    recipient   varchar(320)  NOT NULL,
    subject     varchar(500)  NOT NULL,
    body        text          NOT NULL,
    state       varchar(10)   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts    integer       NOT NULL DEFAULT 0,
    last_error  varchar(1000),
    created_at  timestamptz   NOT NULL,
    sent_at     timestamptz,
    failed_at   timestamptz
);
CREATE INDEX ix_mail_outbox_pending ON mail_outbox (created_at) WHERE state = 'pending';
