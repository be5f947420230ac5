import pghistory
import pgtrigger
from django.apps import apps
from django.db import IntegrityError

#: The SQLSTATE of a refused delete (restrict_violation): Django raises it as an IntegrityError.
KEPT_RECORD_SQLSTATE = "23001"


def audited(actor, action: str):
    """Context for every write: audit events recorded inside it name the actor and the service."""
    return pghistory.context(user=getattr(actor, "pk", None), action=action)


class KeptRecord(pgtrigger.Trigger):
    """The database refuses to delete a record the portal keeps (an approved activity, a decision taken, a released
    meeting pack): such records are withdrawn or corrected, never deleted, whichever door asks (admin, shell, raw
    SQL, a cascade).

    `kept_when` is SQL about one row, its columns written `{row}.column`. A row is kept when it holds for the row
    itself or (with `history`) for any of the row's audit events: setting an approved activity back to draft
    first does not make it deletable, and the events cannot be rewritten (they are append-only).
    """

    when = pgtrigger.Before
    operation = pgtrigger.Delete

    def __init__(self, *, name: str, kept_when: str, history: bool = True, **kwargs):
        self.kept_when = kept_when
        self.history = history
        super().__init__(name=name, **kwargs)

    def get_func(self, model):
        kept = f"({self.kept_when.format(row='OLD')})"
        if self.history:
            # Migrations compile triggers on historical models, which have no event model: ask the real one.
            events = apps.get_model(model._meta.label).pgh_event_model._meta.db_table
            before = self.kept_when.format(row="event")
            kept += f' OR EXISTS (SELECT 1 FROM "{events}" AS event WHERE event.pgh_obj_id = OLD.id AND ({before}))'  # noqa: S608
        return f"""
            IF {kept} THEN
                RAISE EXCEPTION 'Row % of % is a record the portal keeps: withdraw or correct it, never delete it.',
                    OLD.id, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        """


def is_kept_record_refusal(error: Exception) -> bool:
    """True when the database refused to delete a kept record (KeptRecord raises restrict_violation)."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, IntegrityError) and getattr(cause, "sqlstate", None) == KEPT_RECORD_SQLSTATE
