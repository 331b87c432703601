-- Billing (issue #6): plans with immutable price versions, tenant plan assignments, minute packages, invoices (GoBD:
-- gapless numbers from a row-locked counter, finalized rows refused by a trigger, Storno by a cancellation invoice),
-- Lexoffice and Stripe bookkeeping, the run log, and the Quartz.NET job store (clustered, qrtz_ tables).
-- Money is bigint cents; rates may carry fractional cents (numeric). Package balances are seconds.

-- ── Plans ────────────────────────────────────────────────────────────────────────────────────────────────────────────
-- A plan is the product a tenant is on; its prices are versions. A price change is a new version that starts on the 1st of
-- a later month, so a period always has exactly one version (the one valid on its first day) and past invoices never change.
CREATE TABLE billing_plans (
    id          uuid PRIMARY KEY,
    name        varchar(100) NOT NULL UNIQUE,
    description varchar(500),
    created_at  timestamptz  NOT NULL
);

CREATE TABLE billing_plan_versions (
    id                       uuid PRIMARY KEY,
    plan_id                  uuid          NOT NULL REFERENCES billing_plans (id),
    version                  integer       NOT NULL CHECK (version >= 1),
    base_fee_cents           bigint        NOT NULL CHECK (base_fee_cents BETWEEN 0 AND 1000000000),
    included_bot_minutes     integer       NOT NULL CHECK (included_bot_minutes BETWEEN 0 AND 1000000000),
    included_forward_minutes integer       NOT NULL CHECK (included_forward_minutes BETWEEN 0 AND 1000000000),
    bot_rate_cents           numeric(12,4) NOT NULL CHECK (bot_rate_cents >= 0),
    forward_rate_cents       numeric(12,4) NOT NULL CHECK (forward_rate_cents >= 0),
    increment                varchar(6)    NOT NULL CHECK (increment IN ('second', 'minute')),
    -- Whole months: from the 1st, until (inclusive) the last day of a month or open-ended.
    valid_from               date          NOT NULL CHECK (extract(day FROM valid_from) = 1),
    valid_until              date          CHECK (valid_until IS NULL OR (valid_until >= valid_from AND extract(day FROM valid_until + 1) = 1)),
    created_at               timestamptz   NOT NULL,
    created_by               varchar(256),
    CONSTRAINT ux_billing_plan_versions UNIQUE (plan_id, version),
    CONSTRAINT ex_billing_plan_versions_overlap EXCLUDE USING gist (plan_id WITH =, daterange(valid_from, valid_until, '[]') WITH &&)
);

-- A tenant is on one plan at a time. The first assignment may start on any day (its first month is prorated); a change
-- of plan starts on the 1st of a month (the app enforces that, the exclusion constraint enforces "one at a time").
CREATE TABLE tenant_plans (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    plan_id    uuid NOT NULL REFERENCES billing_plans (id),
    start_date date NOT NULL,
    end_date   date CHECK (end_date IS NULL OR end_date >= start_date),
    created_at timestamptz NOT NULL,
    created_by varchar(256),
    CONSTRAINT ex_tenant_plans_overlap EXCLUDE USING gist (tenant_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
);
CREATE INDEX ix_tenant_plans_tenant ON tenant_plans (tenant_id, start_date);

-- ── Minute packages ──────────────────────────────────────────────────────────────────────────────────────────────────
-- The catalog (prices are net; VAT is added per tenant at checkout).
CREATE TABLE minute_packages (
    id              uuid PRIMARY KEY,
    name            varchar(100) NOT NULL,
    minutes         integer      NOT NULL CHECK (minutes BETWEEN 1 AND 1000000),
    price_cents     bigint       NOT NULL CHECK (price_cents BETWEEN 0 AND 1000000000),
    validity_months integer      NOT NULL CHECK (validity_months BETWEEN 1 AND 60),
    active          boolean      NOT NULL DEFAULT true,
    created_at      timestamptz  NOT NULL
);

-- What a tenant owns: bought through Stripe or granted by the super-admin. The balance is not stored here: it is the
-- package's seconds minus the consumption recorded by the tenant's (not cancelled) invoices, see package_balances.
CREATE TABLE package_purchases (
    id                uuid PRIMARY KEY,
    tenant_id         uuid         NOT NULL REFERENCES tenants (id),
    package_id        uuid         REFERENCES minute_packages (id),
    name              varchar(100) NOT NULL,
    minutes           integer      NOT NULL CHECK (minutes BETWEEN 1 AND 1000000),
    price_cents       bigint       NOT NULL CHECK (price_cents >= 0),
    valid_until       date         NOT NULL,
    source            varchar(6)   NOT NULL CHECK (source IN ('stripe', 'admin')),
    stripe_session_id varchar(255) UNIQUE,
    purchased_at      timestamptz  NOT NULL,
    created_by        varchar(256),
    note              varchar(500),
    CONSTRAINT ck_package_purchases_source CHECK ((source = 'stripe') = (stripe_session_id IS NOT NULL))
);
CREATE INDEX ix_package_purchases_tenant ON package_purchases (tenant_id, valid_until);

-- ── Invoices ─────────────────────────────────────────────────────────────────────────────────────────────────────────
-- Gapless numbers per calendar year of the invoice date. Not a sequence (sequences leave gaps on rollback): finalization
-- increments the year's row inside its transaction, so the row lock serializes finalizations and a rollback returns the number.
CREATE TABLE invoice_number_counters (
    year        integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2999),
    last_number integer NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE invoices (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid         NOT NULL REFERENCES tenants (id),
    kind                    varchar(12)  NOT NULL CHECK (kind IN ('monthly', 'package', 'cancellation')),
    status                  varchar(10)  NOT NULL CHECK (status IN ('draft', 'finalized', 'cancelled')),
    period                  date         NOT NULL CHECK (extract(day FROM period) = 1),
    service_from            date         NOT NULL,
    service_until           date         NOT NULL CHECK (service_until >= service_from),
    number                  varchar(40)  UNIQUE,
    number_year             integer,
    number_seq              integer,
    invoice_date            date,
    due_date                date,
    finalized_at            timestamptz,
    plan_version_id         uuid         REFERENCES billing_plan_versions (id),
    tenant_plan_id          uuid         REFERENCES tenant_plans (id),
    purchase_id             uuid         REFERENCES package_purchases (id),
    cancels_invoice_id      uuid         REFERENCES invoices (id),
    cancelled_by_invoice_id uuid         REFERENCES invoices (id),
    cancelled_at            timestamptz,
    issuer                  jsonb        NOT NULL,
    recipient               jsonb        NOT NULL,
    currency                char(3)      NOT NULL DEFAULT 'EUR',
    net_cents               bigint       NOT NULL,
    tax_rate_percent        numeric(5,2) NOT NULL,
    tax_cents               bigint       NOT NULL,
    gross_cents             bigint       NOT NULL,
    tax_rule                varchar(30)  NOT NULL,
    tax_note                varchar(200),
    calculation             jsonb,
    input_hash              varchar(64),
    created_at              timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL,
    created_by              varchar(256),
    CONSTRAINT ux_invoices_number_seq UNIQUE (number_year, number_seq),
    CONSTRAINT ck_invoices_gross CHECK (gross_cents = net_cents + tax_cents),
    CONSTRAINT ck_invoices_number CHECK ((status = 'draft') = (number IS NULL) AND (number IS NULL) = (number_seq IS NULL)
                                         AND (number IS NULL) = (invoice_date IS NULL)),
    CONSTRAINT ck_invoices_cancellation CHECK ((kind = 'cancellation') = (cancels_invoice_id IS NOT NULL)),
    CONSTRAINT ck_invoices_cancelled CHECK ((status = 'cancelled') = (cancelled_by_invoice_id IS NOT NULL)),
    CONSTRAINT ck_invoices_package CHECK ((kind = 'package') = (purchase_id IS NOT NULL))
);
-- Idempotency of the monthly run: one live invoice per tenant and period (a cancelled one may be followed by a correction).
CREATE UNIQUE INDEX ux_invoices_monthly ON invoices (tenant_id, period) WHERE kind = 'monthly' AND status <> 'cancelled';
CREATE UNIQUE INDEX ux_invoices_package ON invoices (purchase_id) WHERE kind = 'package' AND status <> 'cancelled';
CREATE UNIQUE INDEX ux_invoices_cancels ON invoices (cancels_invoice_id) WHERE cancels_invoice_id IS NOT NULL;
CREATE INDEX ix_invoices_period ON invoices (period DESC, tenant_id);
CREATE INDEX ix_invoices_tenant ON invoices (tenant_id, period DESC);

CREATE TABLE invoice_lines (
    invoice_id       uuid          NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position         integer       NOT NULL CHECK (position >= 1),
    tenant_id        uuid          NOT NULL,
    kind             varchar(20)   NOT NULL CHECK (kind IN ('base_fee', 'package_minutes', 'bot_overage', 'forward_overage', 'package')),
    description      varchar(300)  NOT NULL,
    quantity         numeric(18,4) NOT NULL,
    unit             varchar(20)   NOT NULL,
    unit_price_cents numeric(14,4) NOT NULL,
    amount_cents     bigint        NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

-- Which package gave how many seconds to which invoice. Recomputed with the invoice while it is a draft, frozen with it.
CREATE TABLE package_consumptions (
    invoice_id  uuid   NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    purchase_id uuid   NOT NULL REFERENCES package_purchases (id),
    tenant_id   uuid   NOT NULL,
    seconds     bigint NOT NULL CHECK (seconds > 0),
    PRIMARY KEY (invoice_id, purchase_id)
);
CREATE INDEX ix_package_consumptions_purchase ON package_consumptions (purchase_id);

-- Balance per purchase = its seconds − what invoices that are not cancelled consumed (drafts included: they are pending).
CREATE VIEW package_balances WITH (security_invoker = true) AS
SELECT p.id AS purchase_id,
       p.tenant_id,
       p.minutes::bigint * 60 - coalesce(sum(c.seconds) FILTER (WHERE i.status <> 'cancelled'), 0)::bigint AS seconds_remaining
  FROM package_purchases p
  LEFT JOIN package_consumptions c ON c.purchase_id = p.id
  LEFT JOIN invoices i ON i.id = c.invoice_id
 GROUP BY p.id, p.tenant_id;

-- The archived documents: our PDF and, once sent, Lexoffice's. Insert-only.
CREATE TABLE invoice_documents (
    invoice_id   uuid        NOT NULL REFERENCES invoices (id),
    source       varchar(10) NOT NULL CHECK (source IN ('local', 'lexoffice')),
    tenant_id    uuid        NOT NULL,
    content      bytea       NOT NULL,
    content_type varchar(50) NOT NULL,
    sha256       char(64)    NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (invoice_id, source)
);

-- GoBD: a finalized invoice, its lines, its package consumption and its documents never change and are never deleted.
-- The only change allowed on a finalized invoice is its cancellation by a Storno: status finalized → cancelled together
-- with cancelled_by_invoice_id, cancelled_at and updated_at. Lexoffice bookkeeping lives in lexoffice_transmissions, PDFs
-- in invoice_documents, so nothing else needs an exception. (TRUNCATE, used by the test fixture only, fires no row trigger.)
CREATE FUNCTION invoices_guard() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is %: finalized invoices cannot be deleted (GoBD)', OLD.number, OLD.status
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'finalized' AND NEW.status = 'cancelled'
       AND to_jsonb(NEW) - ARRAY['status', 'cancelled_by_invoice_id', 'cancelled_at', 'updated_at']
         = to_jsonb(OLD) - ARRAY['status', 'cancelled_by_invoice_id', 'cancelled_at', 'updated_at'] THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoice % is %: finalized invoices cannot be changed (GoBD); correct it with a cancellation invoice',
        OLD.number, OLD.status
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER tr_invoices_guard BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_guard();

-- Children of an invoice change only while it is a draft (a cascade from deleting a draft finds no parent row any more).
-- SECURITY DEFINER: the parent's status must be visible whatever the caller's row-level-security context is.
CREATE FUNCTION invoice_children_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
DECLARE
    parent_status text;
    parent_number text;
BEGIN
    SELECT status, number INTO parent_status, parent_number
      FROM invoices WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
    IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
        RAISE EXCEPTION '%: invoice % is %, its rows cannot be changed (GoBD)', TG_TABLE_NAME, parent_number, parent_status
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER tr_invoice_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_children_guard();
CREATE TRIGGER tr_package_consumptions_guard BEFORE INSERT OR UPDATE OR DELETE ON package_consumptions
    FOR EACH ROW EXECUTE FUNCTION invoice_children_guard();

CREATE FUNCTION invoice_documents_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        RAISE EXCEPTION 'invoice documents are archived and cannot be changed or deleted (GoBD)' USING ERRCODE = 'restrict_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM invoices WHERE id = NEW.invoice_id AND status <> 'draft') THEN
        RAISE EXCEPTION 'documents are archived for finalized invoices only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tr_invoice_documents_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_documents
    FOR EACH ROW EXECUTE FUNCTION invoice_documents_guard();

-- A plan version's prices never change; only its end may be set, and never before a period that an invoice billed with it.
CREATE FUNCTION billing_plan_versions_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
$$
BEGIN
    IF to_jsonb(NEW) - 'valid_until' <> to_jsonb(OLD) - 'valid_until' THEN
        RAISE EXCEPTION 'plan version % of plan %: prices are immutable, add a new version', OLD.version, OLD.plan_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.valid_until IS NOT NULL AND EXISTS (
        SELECT 1 FROM invoices WHERE plan_version_id = OLD.id AND period > NEW.valid_until) THEN
        RAISE EXCEPTION 'plan version % was invoiced after %', OLD.version, NEW.valid_until USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tr_billing_plan_versions_guard BEFORE UPDATE ON billing_plan_versions
    FOR EACH ROW EXECUTE FUNCTION billing_plan_versions_guard();

-- ── Lexoffice ────────────────────────────────────────────────────────────────────────────────────────────────────────
CREATE TABLE lexoffice_contacts (
    tenant_id  uuid PRIMARY KEY REFERENCES tenants (id),
    contact_id uuid        NOT NULL UNIQUE,
    version    integer     NOT NULL,
    synced_at  timestamptz NOT NULL
);

-- One row per invoice sent (or being sent). pending_since is written and committed right before the create request: a row
-- still pending after a crash means "the invoice may exist at Lexoffice", so the next attempt looks it up before creating.
CREATE TABLE lexoffice_transmissions (
    invoice_id           uuid PRIMARY KEY REFERENCES invoices (id),
    tenant_id            uuid         NOT NULL,
    state                varchar(10)  NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts             integer      NOT NULL DEFAULT 0,
    pending_since        timestamptz,
    lexoffice_invoice_id uuid UNIQUE,
    voucher_number       varchar(50),
    voucher_status       varchar(20),
    last_error           varchar(1000),
    last_attempt_at      timestamptz,
    sent_at              timestamptz,
    document_fetched_at  timestamptz
);
CREATE INDEX ix_lexoffice_transmissions_state ON lexoffice_transmissions (state) WHERE state <> 'sent' OR document_fetched_at IS NULL;

-- Lexoffice allows 2 requests per second per API key, across all our instances: each request reserves the next slot
-- (500 ms apart) in this one row; the row lock is held only for that UPDATE.
CREATE TABLE lexoffice_rate_limit (
    id        smallint PRIMARY KEY CHECK (id = 1),
    next_slot timestamptz NOT NULL
);

-- ── Stripe ───────────────────────────────────────────────────────────────────────────────────────────────────────────
-- A checkout started by a tenant: the package as it was offered (net, VAT, gross), then the session Stripe returned.
CREATE TABLE stripe_checkouts (
    id               uuid PRIMARY KEY,
    tenant_id        uuid          NOT NULL REFERENCES tenants (id),
    package_id       uuid          NOT NULL REFERENCES minute_packages (id),
    name             varchar(100)  NOT NULL,
    minutes          integer       NOT NULL,
    validity_months  integer       NOT NULL,
    net_cents        bigint        NOT NULL,
    tax_rate_percent numeric(5,2)  NOT NULL,
    tax_cents        bigint        NOT NULL,
    gross_cents      bigint        NOT NULL,
    session_id       varchar(255)  UNIQUE,
    status           varchar(10)   NOT NULL CHECK (status IN ('created', 'open', 'completed', 'failed')),
    failure          varchar(500),
    created_at       timestamptz   NOT NULL,
    created_by       varchar(256),
    completed_at     timestamptz
);

-- Webhook events by Stripe's id: processed once; a failed one is processed again when Stripe retries it.
CREATE TABLE stripe_events (
    id           varchar(255) PRIMARY KEY,
    type         varchar(100) NOT NULL,
    status       varchar(10)  NOT NULL CHECK (status IN ('processed', 'ignored', 'failed')),
    attempts     integer      NOT NULL,
    received_at  timestamptz  NOT NULL,
    processed_at timestamptz,
    error        varchar(1000)
);

-- The webhook knows only the checkout it names; this answers exactly that lookup (tenant of our checkout row).
CREATE FUNCTION stripe_checkout_tenant(p_checkout_id uuid) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
$$ SELECT tenant_id FROM stripe_checkouts WHERE id = p_checkout_id $$;

-- ── Runs ─────────────────────────────────────────────────────────────────────────────────────────────────────────────
CREATE TABLE billing_runs (
    id                 uuid PRIMARY KEY,
    period             date         NOT NULL,
    trigger            varchar(10)  NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    instance           varchar(200),
    started_by         varchar(256),
    started_at         timestamptz  NOT NULL,
    finished_at        timestamptz,
    invoices_created   integer      NOT NULL DEFAULT 0,
    invoices_updated   integer      NOT NULL DEFAULT 0,
    invoices_unchanged integer      NOT NULL DEFAULT 0,
    invoices_finalized integer      NOT NULL DEFAULT 0,
    failures           integer      NOT NULL DEFAULT 0,
    error              varchar(2000)
);
CREATE INDEX ix_billing_runs_started ON billing_runs (started_at DESC);

-- The monthly aggregation scans one period of all tenants.
CREATE INDEX ix_usage_records_started ON usage_records (started_at) INCLUDE (tenant_id, kind, seconds);

-- Usage of one period summed per tenant and kind, for the monthly run (all tenants) and the tenant's billing page (one).
-- Row-level security would evaluate its policy on each of millions of rows; this function checks the caller's scope once
-- (platform, or the tenant it asks for) and sums without it. minute_rounded_seconds is what the "minute" increment bills.
-- Custom plans always: a cached generic plan cannot know whether one tenant or all are asked for and was 4× slower.
CREATE FUNCTION usage_totals(p_from timestamptz, p_until timestamptz, p_tenant uuid DEFAULT NULL)
    RETURNS TABLE (tenant_id uuid, kind varchar, records bigint, raw_seconds bigint, minute_rounded_seconds bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET plan_cache_mode = force_custom_plan AS
$$
BEGIN
    IF NOT (app_is_platform() OR (p_tenant IS NOT NULL AND p_tenant = app_tenant_id())) THEN
        RAISE EXCEPTION 'usage_totals: only for the platform or the own tenant' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT u.tenant_id, u.kind, count(*), sum(u.seconds)::bigint, sum((u.seconds + 59) / 60)::bigint * 60
      FROM usage_records u
     WHERE u.started_at >= p_from AND u.started_at < p_until AND (p_tenant IS NULL OR u.tenant_id = p_tenant)
     GROUP BY u.tenant_id, u.kind;
END
$$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenant_plans', 'package_purchases', 'invoices', 'invoice_lines', 'package_consumptions',
                             'invoice_documents', 'lexoffice_contacts', 'lexoffice_transmissions', 'stripe_checkouts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_is_platform() OR tenant_id = app_tenant_id()) '
                       'WITH CHECK (app_is_platform() OR tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- ── Quartz.NET job store (PostgreSQL schema of Quartz.NET 3.x, database/tables/tables_postgres.sql) ─────────────────
CREATE TABLE qrtz_job_details (
    sched_name        text NOT NULL,
    job_name          text NOT NULL,
    job_group         text NOT NULL,
    description       text,
    job_class_name    text NOT NULL,
    is_durable        bool NOT NULL,
    is_nonconcurrent  bool NOT NULL,
    is_update_data    bool NOT NULL,
    requests_recovery bool NOT NULL,
    job_data          bytea,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE qrtz_triggers (
    sched_name             text NOT NULL,
    trigger_name           text NOT NULL,
    trigger_group          text NOT NULL,
    job_name               text NOT NULL,
    job_group              text NOT NULL,
    description            text,
    next_fire_time         bigint,
    prev_fire_time         bigint,
    priority               integer,
    trigger_state          text NOT NULL,
    trigger_type           text NOT NULL,
    start_time             bigint NOT NULL,
    end_time               bigint,
    calendar_name          text,
    misfire_instr          smallint,
    misfire_orig_fire_time bigint,
    execution_group        varchar(200),
    preferred_node         varchar(200),
    preferred_node_auto    bool NOT NULL DEFAULT false,
    job_data               bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE qrtz_simple_triggers (
    sched_name      text   NOT NULL,
    trigger_name    text   NOT NULL,
    trigger_group   text   NOT NULL,
    repeat_count    bigint NOT NULL,
    repeat_interval bigint NOT NULL,
    times_triggered bigint NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_simprop_triggers (
    sched_name    text NOT NULL,
    trigger_name  text NOT NULL,
    trigger_group text NOT NULL,
    str_prop_1    text,
    str_prop_2    text,
    str_prop_3    text,
    int_prop_1    integer,
    int_prop_2    integer,
    long_prop_1   bigint,
    long_prop_2   bigint,
    dec_prop_1    numeric,
    dec_prop_2    numeric,
    bool_prop_1   bool,
    bool_prop_2   bool,
    time_zone_id  text,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_cron_triggers (
    sched_name      text NOT NULL,
    trigger_name    text NOT NULL,
    trigger_group   text NOT NULL,
    cron_expression text NOT NULL,
    time_zone_id    text,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_blob_triggers (
    sched_name    text NOT NULL,
    trigger_name  text NOT NULL,
    trigger_group text NOT NULL,
    blob_data     bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group) ON DELETE CASCADE
);

CREATE TABLE qrtz_calendars (
    sched_name    text  NOT NULL,
    calendar_name text  NOT NULL,
    calendar      bytea NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE qrtz_paused_trigger_grps (
    sched_name    text NOT NULL,
    trigger_group text NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE qrtz_fired_triggers (
    sched_name        text    NOT NULL,
    entry_id          text    NOT NULL,
    trigger_name      text    NOT NULL,
    trigger_group     text    NOT NULL,
    instance_name     text    NOT NULL,
    fired_time        bigint  NOT NULL,
    sched_time        bigint  NOT NULL,
    priority          integer NOT NULL,
    state             text    NOT NULL,
    job_name          text,
    job_group         text,
    is_nonconcurrent  bool    NOT NULL,
    requests_recovery bool,
    execution_group   varchar(200),
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE qrtz_scheduler_state (
    sched_name        text   NOT NULL,
    instance_name     text   NOT NULL,
    last_checkin_time bigint NOT NULL,
    checkin_interval  bigint NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE qrtz_locks (
    sched_name text NOT NULL,
    lock_name  text NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

CREATE INDEX idx_qrtz_j_req_recovery ON qrtz_job_details (sched_name, requests_recovery);
CREATE INDEX idx_qrtz_j_g_n ON qrtz_job_details (sched_name, job_group, job_name);
CREATE INDEX idx_qrtz_t_next_fire_time ON qrtz_triggers (sched_name, next_fire_time);
CREATE INDEX idx_qrtz_t_state ON qrtz_triggers (sched_name, trigger_state);
CREATE INDEX idx_qrtz_t_nft_st ON qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX idx_qrtz_t_g_n ON qrtz_triggers (sched_name, trigger_group, trigger_name);
CREATE INDEX idx_qrtz_ft_trig_name ON qrtz_fired_triggers (trigger_name);
CREATE INDEX idx_qrtz_ft_trig_group ON qrtz_fired_triggers (trigger_group);
CREATE INDEX idx_qrtz_ft_trig_nm_gp ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
CREATE INDEX idx_qrtz_ft_trig_inst_name ON qrtz_fired_triggers (sched_name, instance_name);
CREATE INDEX idx_qrtz_ft_job_name ON qrtz_fired_triggers (job_name);
CREATE INDEX idx_qrtz_ft_job_group ON qrtz_fired_triggers (job_group);
CREATE INDEX idx_qrtz_ft_job_req_recovery ON qrtz_fired_triggers (requests_recovery);
