-- supervision_indicator_frozen: the indicators of a published assessment scheme are frozen
CREATE OR REPLACE FUNCTION supervision_indicator_frozen()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (
            SELECT 1 FROM supervision_assessmentscheme s
            WHERE s.id = OLD.scheme_id AND s.published_at IS NOT NULL))
       OR (TG_OP <> 'DELETE' AND EXISTS (
            SELECT 1 FROM supervision_assessmentscheme s
            WHERE s.id = NEW.scheme_id AND s.published_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'indicators of a published assessment scheme never change'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $function$;

CREATE OR REPLACE TRIGGER supervision_indicator_frozen BEFORE INSERT OR DELETE OR UPDATE ON supervision_indicator FOR EACH ROW EXECUTE FUNCTION supervision_indicator_frozen();
