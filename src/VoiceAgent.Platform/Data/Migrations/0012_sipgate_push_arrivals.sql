-- The sipgate step of the set-up wizard (issue #15) confirms the tenant's push URLs with a test call: the time of the
-- last push per dialled number that passed the source and signature checks. Platform data, not a tenant's: the push
-- arrives before the number is bound to anyone and is written by the unauthenticated webhook. It says no more than
-- "sipgate reached us for this number at this time", so it carries no tenant_id and no row-level security.
CREATE TABLE sipgate_push_arrivals (
    number          varchar(16) PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
    last_signed_at  timestamptz NOT NULL
);
