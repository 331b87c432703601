-- Benchmark B6 (issue #18, the cost of isolation): the row-level-security policies called app_is_platform() and
-- app_tenant_id() on every row they checked — two current_setting() look-ups, a text comparison and a text → uuid parse
-- per row. As scalar sub-selects they are InitPlans: PostgreSQL computes them once per statement and compares every row
-- with the result. The rule is unchanged (same tables, same USING and WITH CHECK, the settings cannot change within a
-- statement that reads these tables); only where PostgreSQL evaluates the two settings moves.
--
-- The two functions become PL/pgSQL with the same bodies: the planner inlined the SQL versions into every statement that
-- names them, parsing their text again for every statement it planned — twice per table with a policy. A PL/pgSQL function
-- is planned as a plain call (and, wrapped as below, called once per statement). Never call them per row: see the check
-- at the end, and the test Every_policy_evaluates_the_scope_once_per_statement.

CREATE OR REPLACE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE plpgsql STABLE AS
$$ BEGIN RETURN NULLIF(current_setting('app.tenant_id', true), '')::uuid; END $$;

CREATE OR REPLACE FUNCTION app_is_platform() RETURNS boolean
    LANGUAGE plpgsql STABLE AS
$$ BEGIN RETURN coalesce(current_setting('app.platform', true), '') = 'on'; END $$;

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT tablename FROM pg_policies
              WHERE schemaname = 'public' AND policyname = 'tenant_isolation'
                AND qual = '(app_is_platform() OR (tenant_id = app_tenant_id()))'
                AND with_check = '(app_is_platform() OR (tenant_id = app_tenant_id()))'
    LOOP
        EXECUTE format('ALTER POLICY tenant_isolation ON %I '
                       'USING ((SELECT app_is_platform()) OR tenant_id = (SELECT app_tenant_id())) '
                       'WITH CHECK ((SELECT app_is_platform()) OR tenant_id = (SELECT app_tenant_id()))', r.tablename);
    END LOOP;
END $$;

ALTER POLICY tenant_isolation ON tenants
    USING ((SELECT app_is_platform()) OR id = (SELECT app_tenant_id()))
    WITH CHECK ((SELECT app_is_platform()) OR id = (SELECT app_tenant_id()));

ALTER POLICY platform_only ON sign_in_throttles USING ((SELECT app_is_platform())) WITH CHECK ((SELECT app_is_platform()));

-- A policy the statements above missed would still evaluate the scope per row: stop the migration instead.
DO $$
DECLARE
    missed text;
BEGIN
    SELECT string_agg(tablename || '.' || policyname, ', ') INTO missed
      FROM (SELECT tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '') AS rule
              FROM pg_policies WHERE schemaname = 'public') p
     WHERE regexp_count(rule, 'app_(is_platform|tenant_id)\(\)') <> regexp_count(rule, 'SELECT app_(is_platform|tenant_id)\(\)');
    IF missed IS NOT NULL THEN
        RAISE EXCEPTION 'row-level-security policies still evaluate the scope per row: %', missed;
    END IF;
END $$;
