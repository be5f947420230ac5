"""Snapshots: one plain, JSON-able shape for an activity entry, used for revisions, diffs, conflicts and imports.

Kept apart from the services because forms, imports and pages need them too, and they change nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ipas.models import Activity, ActivityRevision, Objective
from partners.models import Organisation

SCALAR_FIELDS = [
    "title",
    "description",
    "implementing_organisation",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "budget_eur",
    "contact",
    "links",
]
DATE_FIELDS = {"planned_start", "planned_end", "actual_start", "actual_end"}
OPEN_REVISION_STATES = ActivityRevision.OPEN_STATES


def activity_snapshot(activity: Activity) -> dict:
    """The entry as a plain dict (ids and strings), as stored in a revision and compared in diffs."""
    data = {}
    for name in SCALAR_FIELDS:
        data[name] = _jsonable(getattr(activity, name + "_id" if name == "implementing_organisation" else name))
    links = list(activity.objective_links.all())
    data["primary_objective"] = next((link.objective_id for link in links if link.is_primary), None)
    data["additional_objectives"] = sorted(link.objective_id for link in links if not link.is_primary)
    data["beneficiaries"] = sorted(c.pk for c in activity.beneficiaries.all())
    data["themes"] = sorted(t.pk for t in activity.themes.all())
    data["fundings"] = [
        {
            "donor": f.donor_id,
            "amount": str(f.amount),
            "currency": f.currency,
            "amount_eur": str(f.amount_eur),
            "status": f.status,
            "instrument": f.instrument,
        }
        for f in activity.fundings.all()
    ]
    return data


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, Organisation | Objective):
        return value.pk
    return value


def snapshot_from_form_data(data: dict) -> dict:
    """Normalise cleaned form data (model instances, dates, decimals) into the snapshot shape."""
    snapshot = {name: _jsonable(data.get(name)) for name in SCALAR_FIELDS}
    snapshot["contact"] = snapshot["contact"] or ""
    snapshot["links"] = snapshot["links"] or ""
    snapshot["description"] = snapshot["description"] or ""
    snapshot["primary_objective"] = _jsonable(data["primary_objective"])
    snapshot["additional_objectives"] = sorted(
        o.pk for o in data.get("additional_objectives", []) if o.pk != snapshot["primary_objective"]
    )
    snapshot["beneficiaries"] = sorted(c.pk for c in data["beneficiaries"])
    snapshot["themes"] = sorted(t.pk for t in data.get("themes", []))
    snapshot["fundings"] = [
        {
            "donor": f["donor"].pk,
            "amount": str(Decimal(f["amount"]).quantize(Decimal("0.01"))),
            "currency": f["currency"],
            "amount_eur": str(Decimal(f["amount_eur"]).quantize(Decimal("0.01"))),
            "status": f["status"],
            "instrument": f.get("instrument") or "",
        }
        for f in data.get("fundings", [])
    ]
    return snapshot


FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "implementing_organisation": "Implementing organisation",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "actual_start": "Actual start",
    "actual_end": "Actual end",
    "status": "Status",
    "budget_eur": "Budget (EUR)",
    "contact": "Contact",
    "links": "Document links",
    "primary_objective": "Primary objective",
    "additional_objectives": "Additional objectives",
    "beneficiaries": "Beneficiaries",
    "themes": "Themes",
    "fundings": "Funding lines",
}


def snapshot_diff(before: dict | None, after: dict) -> list[dict]:
    """Fields whose value differs, in display order: [{"field", "label", "before", "after"}]."""
    changes = []
    for name, label in FIELD_LABELS.items():
        old = None if before is None else before.get(name)
        new = after.get(name)
        if old != new:
            changes.append({"field": name, "label": label, "before": old, "after": new})
    return changes
