"""What a settled pair is remembered by (pure: no database): the digest of both sides' material fields
(`material.material_fields` reads them), and what changed since, in words."""

from __future__ import annotations

import hashlib
import json

#: What a settled pair is remembered by; names shown beside the ids are not part of it.
FINGERPRINTED = ("title", "description", "start", "end", "donors", "countries")


def fingerprint(fields_a: dict, fields_b: dict) -> str:
    """A digest of both sides' material fields; whitespace and case changes are not material.
    (Migration 0012 holds a frozen copy: change both, with a migration that recomputes stored ones.)"""

    def norm(values: dict) -> dict:
        kept = {key: values[key] for key in FINGERPRINTED}
        kept["title"] = " ".join(values["title"].lower().split())
        kept["description"] = " ".join(values["description"].lower().split())
        return kept

    raw = json.dumps([norm(fields_a), norm(fields_b)], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


FIELD_LABELS = {
    "title": "title",
    "description": "description",
    "donors": "donors",
    "countries": "beneficiaries",
    "start": "start date",
    "end": "end date",
}


def material_changes(before: dict, after: dict, side: str) -> list[str]:
    """Human-readable list of what changed in one side since it was settled."""

    def donor_names(values: dict) -> list[str]:
        names = values.get("donor_names") or {}
        # Settlements older than donor ids (migration 0012 left those whose donor was since renamed) hold names.
        return sorted(
            pk if isinstance(pk, str) else names.get(str(pk), f"donor {pk}") for pk in values.get("donors") or []
        )

    changes = []
    for key, label in FIELD_LABELS.items():
        old, new = before.get(key), after.get(key)
        if key in ("title", "description"):
            old = " ".join((old or "").lower().split())
            new = " ".join((new or "").lower().split())
        if old == new:
            continue
        if key == "donors":
            old, new = donor_names(before), donor_names(after)
        if key in ("donors", "countries"):
            changes.append(f"{side}: {label} {', '.join(old or []) or 'none'} → {', '.join(new or []) or 'none'}")
        elif key in ("start", "end"):
            changes.append(f"{side}: {label} {old} → {new}")
        else:
            changes.append(f"{side}: {label} changed")
    return changes
