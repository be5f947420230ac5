"""An activity's history read from the audit trail (django-pghistory events).

Others see the published versions only: the drafts an organisation wrote before an approval stay its own.
"""

from ipas.activities.selectors import user_may_edit
from ipas.models import Activity, ActivityObjective, Funding
from partners.models import Organisation, User
from pillars.selectors import led_pillar_ids

TRACKED = {
    "title": "Title",
    "description": "Description",
    "implementing_organisation_id": "Implementing organisation",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "actual_start": "Actual start",
    "actual_end": "Actual end",
    "status": "Status",
    "approval_state": "Approval state",
    "budget_eur": "Budget (EUR)",
    "contact": "Contact",
    "links": "Document links",
}


def sees_unpublished_history(user: User, activity: Activity) -> bool:
    """The owner's editors, the Lead Partners of a pillar the entry names or was submitted to, and those who
    see every draft (Support Group staff) read every version; everyone else the published ones only."""
    if user.has_perm("ipas.view_all_activities") or user_may_edit(user, activity):
        return True
    led = led_pillar_ids(user)
    return bool(led) and (
        ActivityObjective.objects.filter(activity=activity, objective__ipa__pillar__in=led).exists()
        or activity.reviews.filter(pillar__in=led).exists()
    )


def activity_changes(activity: Activity, *, viewer: User, limit: int = 100) -> list[dict]:
    """Newest first: who changed which field, when, from what to what (funding lines summarised).

    For a viewer who may not read unpublished versions (sees_unpublished_history), only the versions that were
    published, each compared with the one published before it: the row of an approved entry is what everyone
    sees (its changes wait in a revision until approved), so its events in the approved state are exactly the
    published versions, and the funding lines changed in the same transactions are those that were published."""
    events = list(
        Activity.pgh_event_model.objects.filter(pgh_obj_id=activity.pk).select_related("pgh_context").order_by("pgh_id")
    )
    published_only = not sees_unpublished_history(viewer, activity)
    if published_only:
        events = [e for e in events if e.approval_state == Activity.ApprovalState.APPROVED]
    funding_events = list(Funding.pgh_event_model.objects.filter(activity_id=activity.pk).order_by("pgh_id"))
    user_ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context}
    users = User.objects.in_bulk([u for u in user_ids if u])
    org_ids = {e.implementing_organisation_id for e in events} | {e.donor_id for e in funding_events}
    orgs = Organisation.objects.in_bulk(org_ids)
    lines_by_context: dict = {}
    for fe in funding_events:
        added, removed = lines_by_context.setdefault(fe.pgh_context_id, (set(), set()))
        line = f"{orgs.get(fe.donor_id, '?')} {fe.amount:,.2f} {fe.currency} ({fe.status})"
        (added if fe.pgh_label == "insert" else removed if fe.pgh_label == "delete" else added).add(line)

    def show(field, value):
        if value in (None, ""):
            return "–"
        if field == "implementing_organisation_id":
            return str(orgs.get(value, value))
        return str(value)

    entries = []
    previous = None
    for event in events:
        changes = []
        if previous is None:
            changes.append({"label": "Published" if published_only else "Created", "before": "", "after": event.title})
        else:
            for field, label in TRACKED.items():
                old, new = getattr(previous, field), getattr(event, field)
                if old != new:
                    changes.append({"label": label, "before": show(field, old), "after": show(field, new)})
        added, removed = lines_by_context.get(event.pgh_context_id, (set(), set()))
        if previous is not None and added != removed and (added or removed):
            # Shown once: several events of one transaction (a save, then a version bump) share its lines.
            del lines_by_context[event.pgh_context_id]
            changes.append(
                {
                    "label": "Funding lines",
                    "before": "; ".join(sorted(removed - added)) or "–",
                    "after": "; ".join(sorted(added - removed)) or "–",
                }
            )
        if changes:
            metadata = event.pgh_context.metadata if event.pgh_context else {}
            entries.append(
                {
                    "when": event.pgh_created_at,
                    "who": users.get(metadata.get("user")),
                    "action": metadata.get("action", ""),
                    "changes": changes,
                }
            )
        previous = event
    return list(reversed(entries))[:limit]
