"""Settled flags remember their donors by id, not by name: renaming a donor organisation must not reopen every
flag it funds. Stored snapshots are converted and their fingerprints computed again."""

import hashlib
import json

from django.db import migrations

FINGERPRINTED = ("title", "description", "start", "end", "donors", "countries")


def _fingerprint(fields_a: dict, fields_b: dict) -> str:
    # Frozen copy of ipas.duplication.fingerprint as of this migration.
    def norm(values: dict) -> dict:
        kept = {key: values[key] for key in FINGERPRINTED}
        kept["title"] = " ".join(values["title"].lower().split())
        kept["description"] = " ".join(values["description"].lower().split())
        return kept

    return hashlib.sha256(json.dumps([norm(fields_a), norm(fields_b)], sort_keys=True).encode()).hexdigest()


def names_to_ids(apps, schema_editor):
    DuplicateFlag = apps.get_model("ipas", "DuplicateFlag")
    Organisation = apps.get_model("partners", "Organisation")
    flags = list(DuplicateFlag.objects.exclude(fingerprint="").exclude(snapshot={}))
    names = {name for f in flags for side in ("a", "b") for name in f.snapshot.get(side, {}).get("donors", [])}
    ids = dict(Organisation.objects.filter(name__in=names).values_list("name", "pk"))
    for flag in flags:
        sides = {side: dict(flag.snapshot.get(side) or {}) for side in ("a", "b")}
        if any(not values or any(name not in ids for name in values.get("donors", [])) for values in sides.values()):
            continue  # a donor since renamed or deleted: this one opens again once, showing the change
        for values in sides.values():
            values["donor_names"] = {str(ids[name]): name for name in values["donors"]}
            values["donors"] = sorted(ids[name] for name in values["donors"])
        flag.snapshot = sides
        flag.fingerprint = _fingerprint(sides["a"], sides["b"])
        flag.save(update_fields=["snapshot", "fingerprint"])


def ids_to_names(apps, schema_editor):
    DuplicateFlag = apps.get_model("ipas", "DuplicateFlag")
    for flag in DuplicateFlag.objects.exclude(fingerprint="").exclude(snapshot={}):
        sides = {side: dict(flag.snapshot.get(side) or {}) for side in ("a", "b")}
        if not all(values and "donor_names" in values for values in sides.values()):
            continue
        for values in sides.values():
            values["donors"] = sorted(values.pop("donor_names").values())
        flag.snapshot = sides
        raw = json.dumps(
            [
                {
                    **v,
                    "title": " ".join(v["title"].lower().split()),
                    "description": " ".join(v["description"].lower().split()),
                }
                for v in (sides["a"], sides["b"])
            ],
            sort_keys=True,
        )
        flag.fingerprint = hashlib.sha256(raw.encode()).hexdigest()
        flag.save(update_fields=["snapshot", "fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("ipas", "0011_duplication_run_attempts"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(names_to_ids, ids_to_names, elidable=True)]
