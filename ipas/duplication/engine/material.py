"""What makes a settled pair come back, read from the database: each activity's material fields
(`fingerprints` digests them and says what changed)."""

from __future__ import annotations

from collections.abc import Iterable


def material_fields(activity_ids: Iterable[int]) -> dict[int, dict]:
    """Title, description, donors, beneficiaries and dates of each activity, as plain JSON values. Donors are
    ids (a donor renamed is the same donor); their names are kept beside them to say what changed."""
    from ipas.models import Activity, Funding

    ids = list(activity_ids)
    out = {
        pk: {
            "title": title,
            "description": description,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "donors": [],
            "donor_names": {},
            "countries": [],
        }
        for pk, title, description, start, end in Activity.objects.filter(pk__in=ids).values_list(
            "pk", "title", "description", "planned_start", "planned_end"
        )
    }
    fundings = Funding.objects.filter(activity_id__in=ids).values_list("activity_id", "donor_id", "donor__name")
    for activity_id, donor_id, name in fundings:
        out[activity_id]["donors"].append(donor_id)
        out[activity_id]["donor_names"][str(donor_id)] = name
    through = Activity.beneficiaries.through
    for activity_id, code in through.objects.filter(activity_id__in=ids).values_list("activity_id", "country_id"):
        out[activity_id]["countries"].append(code)
    for values in out.values():
        values["donors"] = sorted(set(values["donors"]))
        values["countries"] = sorted(set(values["countries"]))
    return out
