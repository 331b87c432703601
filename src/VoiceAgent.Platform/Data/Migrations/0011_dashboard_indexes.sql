-- Portal dashboards (issue #13): calls and metered seconds per business day over the chart window, for all tenants
-- (super-admin) or one (tenant).

-- Calls of a period across tenants (admin chart); a tenant's calls use ix_calls_tenant_started.
CREATE INDEX ix_calls_started ON calls (started_at) INCLUDE (tenant_id);
-- A call's usage records (handoffs = calls with forward usage; the foreign key had no index).
CREATE INDEX ix_usage_records_call ON usage_records (call_id, kind);

-- Calls, bot and forward seconds per day. p_bounds are the days' starts in UTC plus the end of the last day, computed
-- by the caller in the business zone (a DST day has 23 or 25 hours), so a row is bucketed by a binary search instead of
-- a time-zone conversion. Like usage_totals: row-level security would evaluate its policy on every row; this checks the
-- caller's scope once (platform, or the tenant it asks for) and counts without it. Every day is returned, zeros included.
CREATE FUNCTION dashboard_days(p_bounds timestamptz[], p_tenant uuid DEFAULT NULL)
    RETURNS TABLE (day_number integer, call_count bigint, bot_seconds bigint, forward_seconds bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public SET plan_cache_mode = force_custom_plan AS
$$
DECLARE
    v_from  timestamptz := p_bounds[1];
    v_until timestamptz := p_bounds[array_upper(p_bounds, 1)];
BEGIN
    IF NOT (app_is_platform() OR (p_tenant IS NOT NULL AND p_tenant = app_tenant_id())) THEN
        RAISE EXCEPTION 'dashboard_days: only for the platform or the own tenant' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH c AS (
        SELECT width_bucket(x.started_at, p_bounds) AS b, count(*) AS n
          FROM calls x
         WHERE x.started_at >= v_from AND x.started_at < v_until AND (p_tenant IS NULL OR x.tenant_id = p_tenant)
         GROUP BY 1),
    u AS (
        SELECT width_bucket(r.started_at, p_bounds) AS b,
               sum(r.seconds) FILTER (WHERE r.kind = 'bot') AS bot, sum(r.seconds) FILTER (WHERE r.kind = 'forward') AS fwd
          FROM usage_records r
         WHERE r.started_at >= v_from AND r.started_at < v_until AND (p_tenant IS NULL OR r.tenant_id = p_tenant)
         GROUP BY 1)
    SELECT g.b, coalesce(c.n, 0)::bigint, coalesce(u.bot, 0)::bigint, coalesce(u.fwd, 0)::bigint
      FROM generate_series(1, array_upper(p_bounds, 1) - 1) AS g (b)
      LEFT JOIN c ON c.b = g.b
      LEFT JOIN u ON u.b = g.b
     ORDER BY g.b;
END
$$;
