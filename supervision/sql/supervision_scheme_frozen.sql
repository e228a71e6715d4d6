-- supervision_scheme_frozen: a published assessment scheme is frozen
CREATE OR REPLACE FUNCTION supervision_scheme_frozen()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF OLD.published_at IS NULL THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' OR (NEW.code, NEW.name, NEW.version, NEW.level, NEW.period_kind,
                            NEW.note, NEW.published_at, NEW.created_by_id, NEW.created_at)
                           IS DISTINCT FROM
                           (OLD.code, OLD.name, OLD.version, OLD.level, OLD.period_kind,
                            OLD.note, OLD.published_at, OLD.created_by_id, OLD.created_at) THEN
        RAISE EXCEPTION 'assessment scheme % is published: only `active` may change', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $function$;

CREATE OR REPLACE TRIGGER supervision_scheme_frozen BEFORE DELETE OR UPDATE ON supervision_assessmentscheme FOR EACH ROW EXECUTE FUNCTION supervision_scheme_frozen();
