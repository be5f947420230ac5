"""Turn snapshots (ids and ISO strings) into what people read: names, codes, formatted money."""

from decimal import Decimal

from ipas.activities.snapshots import snapshot_diff
from ipas.models import Activity, Objective
from partners.models import Country, Organisation
from pillars.models import CrossCuttingTheme


def _money(value) -> str:
    return f"€{Decimal(value):,.2f}" if value not in (None, "") else "–"


def describe_snapshots(*snapshots: dict | None) -> list[dict | None]:
    """Readable versions of several snapshots, resolving all names in a few queries."""
    present = [s for s in snapshots if s]
    org_ids = {s["implementing_organisation"] for s in present} | {f["donor"] for s in present for f in s["fundings"]}
    objective_ids = {s["primary_objective"] for s in present} | {o for s in present for o in s["additional_objectives"]}
    orgs = Organisation.objects.in_bulk(org_ids)
    objectives = Objective.objects.select_related("ipa__pillar").in_bulk(objective_ids)
    countries = Country.objects.in_bulk({c for s in present for c in s["beneficiaries"]})
    themes = CrossCuttingTheme.objects.in_bulk({t for s in present for t in s["themes"]})
    statuses = dict(Activity.Status.choices)

    def objective_label(pk):
        o = objectives.get(pk)
        return f"{o.ipa.pillar.code} {o.code} {o.title}" if o else f"#{pk} (removed)"

    def describe(s):
        if not s:
            return None
        return {
            "title": s["title"],
            "description": s["description"] or "–",
            "implementing_organisation": str(orgs.get(s["implementing_organisation"], "–")),
            "planned_start": s["planned_start"] or "–",
            "planned_end": s["planned_end"] or "–",
            "actual_start": s["actual_start"] or "–",
            "actual_end": s["actual_end"] or "–",
            "status": statuses.get(s["status"], s["status"]),
            "budget_eur": _money(s["budget_eur"]),
            "contact": s["contact"] or "–",
            "links": s["links"] or "–",
            "primary_objective": objective_label(s["primary_objective"]),
            "additional_objectives": "; ".join(objective_label(pk) for pk in s["additional_objectives"]) or "–",
            "beneficiaries": ", ".join(countries[c].display_name if c in countries else c for c in s["beneficiaries"]),
            "themes": ", ".join(str(themes.get(t, t)) for t in s["themes"]) or "–",
            "fundings": "; ".join(
                f"{orgs.get(f['donor'], '?')}: {Decimal(f['amount']):,.2f} {f['currency']} ({_money(f['amount_eur'])}, "
                f"{f['status']}{', ' + f['instrument'] if f['instrument'] else ''})"
                for f in s["fundings"]
            )
            or "–",
        }

    return [describe(s) for s in snapshots]


def readable_diff(before: dict | None, after: dict) -> list[dict]:
    """snapshot_diff with readable values."""
    old, new = describe_snapshots(before, after)
    return [
        {**change, "before": old[change["field"]] if old else "–", "after": new[change["field"]]}
        for change in snapshot_diff(before, after)
    ]
