"""A flag's decisions read from the audit trail (django-pghistory events)."""

from ipas.models import DuplicateFlag
from partners.models import User


def flag_decisions(flag: DuplicateFlag) -> list[dict]:
    """Oldest first: each time the flag was settled, opened again by staff, or came back after a change,
    with who and when (the audit trail keeps every decision, also those since replaced)."""
    events = list(
        DuplicateFlag.pgh_event_model.objects.filter(pgh_obj_id=flag.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    users = User.objects.in_bulk(
        [u for u in {e.pgh_context.metadata.get("user") for e in events if e.pgh_context} if u]
    )
    labels = dict(DuplicateFlag.Resolution.choices)
    decisions = []
    before = ""
    for event in events:
        if event.resolution == before:
            continue
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        if event.resolution:
            what = f"Settled as {labels.get(event.resolution, event.resolution).lower()}"
            detail = event.note
        elif metadata.get("action") == "duplicate_flag_reopen":
            what, detail = "Opened again", ""
        else:
            what, detail = "Back after a change", "; ".join(event.changes)
        decisions.append(
            {"when": event.pgh_created_at, "who": users.get(metadata.get("user")), "what": what, "detail": detail}
        )
        before = event.resolution
    return decisions
