-- Retention (backend/src/retention) deletes audit entries older than RETENTION_AUDIT_DAYS. The
-- log stays append-only otherwise: a DELETE passes only in a transaction that has announced the
-- retention age (set_config('clinic.audit_retention_days', …, true)) and only for an entry older
-- than that age by the database's own clock, so no bug in a purge statement can remove a recent
-- entry. UPDATE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION "refuse_audit_log_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    retention_days INTEGER := nullif(current_setting('clinic.audit_retention_days', true), '')::INTEGER;
BEGIN
    IF TG_OP = 'DELETE' AND retention_days >= 1
       AND OLD."at" < (now() AT TIME ZONE 'UTC') - make_interval(days => retention_days) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
