"""A published scheme version is history: scores of past periods were computed under it. Only
its `active` flag may change; its indicators can be neither added, changed nor removed. The API
and admin offer no such change; these triggers hold the line for the shell and raw SQL too."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION supervision_scheme_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$;
CREATE TRIGGER supervision_scheme_frozen
    BEFORE UPDATE OR DELETE ON supervision_assessmentscheme
    FOR EACH ROW EXECUTE FUNCTION supervision_scheme_frozen();

CREATE FUNCTION supervision_indicator_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$;
CREATE TRIGGER supervision_indicator_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON supervision_indicator
    FOR EACH ROW EXECUTE FUNCTION supervision_indicator_frozen();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS supervision_indicator_frozen ON supervision_indicator;
DROP FUNCTION IF EXISTS supervision_indicator_frozen();
DROP TRIGGER IF EXISTS supervision_scheme_frozen ON supervision_assessmentscheme;
DROP FUNCTION IF EXISTS supervision_scheme_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
