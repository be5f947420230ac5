"""The synthetic world written into the benchmark's own database: countries, pillars, iPAs and objectives,
organisations, two users, and the activities with their beneficiaries, objectives and funding (COPY, not the
ORM, with the audit triggers off while it loads: the database is a throwaway one)."""

from datetime import date
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from ipas.duplication.bench.words import COUNTRY_NAMES, DONORS, IMPLEMENTERS, TOPICS


def _copy(model, columns: list[str], rows) -> None:
    table = model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:  # noqa: S608 - our own table
            for row in rows:
                copy.write_row(row)


def _defaults(model, given: set[str]) -> dict:
    """Database values of every concrete column not given: the model's defaults (so new fields still load)."""
    now = timezone.now()
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.column] = now
        elif f.has_default():
            out[f.column] = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            out[f.column] = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
            out[f.column] = ""
        else:
            raise CommandError(f"{model.__name__}.{f.name} needs a value in the bench loader")
    return out


def load_into_database(data: list[dict]) -> tuple[list[int], dict]:
    from ipas.models import (
        Activity,
        ActivityObjective,
        DuplicateFlag,
        DuplicationRun,
        Funding,
        IntegratedPlanOfAction,
        Objective,
    )
    from partners import roles
    from partners.models import Country, Membership, Organisation, User
    from partners.services import membership_set, organisation_group_ensure, roles_ensure, staff_role_set
    from pillars.models import Pillar

    with transaction.atomic():
        tables = [
            DuplicateFlag,
            DuplicationRun,
            Funding,
            ActivityObjective,
            Activity.beneficiaries.through,
            Activity.themes.through,
            Activity,
        ]
        with connection.cursor() as cursor:
            names = ", ".join(f'"{m._meta.db_table}"' for m in tables)
            cursor.execute(f"TRUNCATE {names} CASCADE")  # noqa: S608 - our own tables

        roles_ensure()
        for code, name in COUNTRY_NAMES.items():
            Country.objects.update_or_create(code=code, defaults={"name": name, "is_beneficiary": True})
        pillars, objectives = {}, {}
        for code in ("WBCTi", "WBCSCi", "WBBSi"):
            pillar, _ = Pillar.objects.get_or_create(code=code, defaults={"name": code})
            pillars[code] = pillar.pk
            ipa, _ = IntegratedPlanOfAction.objects.get_or_create(
                pillar=pillar,
                period_start=date(2016, 1, 1),
                defaults={"title": f"{code} iPA", "period_end": date(2030, 12, 31), "status": "adopted"},
            )
            for _topic, p, objective_code, _words in TOPICS:
                if p == code:
                    obj, _ = Objective.objects.get_or_create(
                        ipa=ipa, code=objective_code, defaults={"title": f"{code} objective {objective_code}"}
                    )
                    objectives[(code, objective_code)] = obj.pk
        org_ids = {}
        for org_name in [*IMPLEMENTERS, *DONORS]:
            org, _ = Organisation.objects.get_or_create(
                name=org_name, defaults={"type": Organisation.Type.INTERNATIONAL_ORGANISATION}
            )
            organisation_group_ensure(org)
            org_ids[org_name] = org.pk
        support, _ = User.objects.get_or_create(email="bench-support@iisg.example")
        staff_role_set(actor=None, user=support, role=roles.SUPPORT_GROUP_STAFF)
        editor, _ = User.objects.get_or_create(email="bench-editor@iisg.example")
        membership_set(
            actor=None,
            user=editor,
            organisation=Organisation.objects.get(pk=org_ids[IMPLEMENTERS[2]]),
            role=Membership.Role.EDITOR,
        )

        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Activity._meta.db_table])
            first_id = cursor.fetchone()[0] + 1
        ids = list(range(first_id, first_id + len(data)))
        given = {
            "id",
            "title",
            "description",
            "organisation_id",
            "implementing_organisation_id",
            "planned_start",
            "planned_end",
            "status",
            "approval_state",
            "budget_eur",
            "external_id",
        }
        defaults = _defaults(Activity, given)
        columns = [*sorted(given), *defaults]
        today = date.today()  # noqa: DTZ011 - a calendar date for synthetic statuses

        def activity_rows():
            for pk, a in zip(ids, data, strict=True):
                implementer = org_ids[IMPLEMENTERS[a["implementer"]]]
                status = "completed" if a["end"] < today else "ongoing" if a["start"] <= today else "planned"
                values = {
                    "id": pk,
                    "title": a["title"][:300],
                    "description": a["description"],
                    "organisation_id": implementer,
                    "implementing_organisation_id": implementer,
                    "planned_start": a["start"],
                    "planned_end": a["end"],
                    "status": status,
                    "approval_state": "approved",
                    "budget_eur": Decimal(a["budget"]),
                    "external_id": f"BENCH-{pk}",
                    **defaults,
                }
                yield [values[c] for c in columns]

        # The synthetic rows of this throwaway database are not audited: pghistory's row triggers would
        # write an event per row (about a minute more at 100,000). FK checks stay on ("USER" triggers only).
        audited_tables = [Activity, Activity.beneficiaries.through, ActivityObjective, Funding]
        with connection.cursor() as cursor:
            for model in audited_tables:
                cursor.execute(f'ALTER TABLE "{model._meta.db_table}" DISABLE TRIGGER USER')  # noqa: S608
        _copy(Activity, columns, activity_rows())
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Activity._meta.db_table, ids[-1]])
        through = Activity.beneficiaries.through
        _copy(
            through,
            ["activity_id", "country_id"],
            ((pk, code) for pk, a in zip(ids, data, strict=True) for code in sorted(set(a["countries"]))),
        )
        _copy(
            ActivityObjective,
            ["activity_id", "objective_id", "is_primary"],
            ((pk, objectives[(a["pillar"], a["objective"])], True) for pk, a in zip(ids, data, strict=True)),
        )
        funding_defaults = _defaults(
            Funding, {"activity_id", "donor_id", "amount", "currency", "amount_eur", "status", "instrument"}
        )

        def funding_rows():
            for pk, a in zip(ids, data, strict=True):
                share = Decimal(a["budget"]) / len(a["donors"])
                for d in a["donors"]:
                    yield [pk, org_ids[DONORS[d]], share, "EUR", share, "committed", "", *funding_defaults.values()]

        _copy(
            Funding,
            ["activity_id", "donor_id", "amount", "currency", "amount_eur", "status", "instrument", *funding_defaults],
            funding_rows(),
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks before re-enabling
            for model in audited_tables:
                cursor.execute(f'ALTER TABLE "{model._meta.db_table}" ENABLE TRIGGER USER')  # noqa: S608
    with connection.cursor() as cursor:
        for model in (Activity, through, ActivityObjective, Funding):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')  # noqa: S608 - our own table
    world = {
        "support": support,
        "editor": editor,
        "pillars": pillars,
        "donors": [org_ids[d] for d in DONORS],
    }
    return ids, world
