-- Data protection (issue #16, item 8): the tenant's transcript retention (tenant admin, 7–3650 days, default 90), the
-- contract end a super-admin records (the tenant's data is deleted a configured number of days later, invoices and the
-- billing case stay for the statutory 10 years) and when that deletion ran. The tenants table keeps its row-level security.
ALTER TABLE tenants ADD COLUMN transcript_retention_days integer NOT NULL DEFAULT 90
    CHECK (transcript_retention_days BETWEEN 7 AND 3650);
ALTER TABLE tenants ADD COLUMN contract_ended_at timestamptz;
ALTER TABLE tenants ADD COLUMN data_deleted_at timestamptz;

-- The retention job and the erasure per caller number look sessions up by age and by number.
CREATE INDEX ix_flow_sessions_updated ON flow_sessions (updated_at) INCLUDE (tenant_id);
CREATE INDEX ix_flow_sessions_tenant_caller ON flow_sessions (tenant_id, caller_number) WHERE caller_number IS NOT NULL;
CREATE INDEX ix_calls_tenant_from ON calls (tenant_id, from_number) WHERE from_number IS NOT NULL;
CREATE INDEX ix_tenants_contract_ended ON tenants (contract_ended_at) WHERE contract_ended_at IS NOT NULL AND data_deleted_at IS NULL;
