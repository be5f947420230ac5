"""`manage.py find_duplicates [--json]`: the full duplication run, synchronously (the Celery job's code)."""

import json

from django.core.management.base import BaseCommand, CommandError

from ipas.duplication.services import duplication_run_execute, duplication_run_start
from ipas.models import Activity, DuplicateFlag, DuplicationRun


class Command(BaseCommand):
    help = "Run the duplication report now and list the flagged pairs (--json: one JSON array on stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the flagged pairs as a JSON array.")

    def handle(self, *args, **options):
        run = duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.COMMAND, enqueue=False)
        if run.status != DuplicationRun.Status.QUEUED:
            raise CommandError(f"Run {run.pk} is already {run.get_status_display().lower()}; wait for it to end.")
        run = duplication_run_execute(run_id=run.pk)
        if run is None:
            raise CommandError("Another process took the run.")
        flags = list(DuplicateFlag.objects.open().order_by("-score", "id"))
        ids = {x for f in flags for x in (f.activity_a_id, f.activity_b_id)}
        activities = {
            pk: {"id": pk, "external_id": external_id, "title": title}
            for pk, external_id, title in Activity.objects.filter(pk__in=ids).values_list("pk", "external_id", "title")
        }
        if options["json"]:
            pairs = [
                {
                    "a": activities[f.activity_a_id],
                    "b": activities[f.activity_b_id],
                    "score": round(f.score, 4),
                    "kind": f.kind,
                    "reasons": f.reasons,
                }
                for f in flags
            ]
            self.stdout.write(json.dumps(pairs, ensure_ascii=False))
            return
        for f in flags:
            a, b = activities[f.activity_a_id], activities[f.activity_b_id]
            self.stdout.write(f"{f.score:.2f}  {a['id']} {a['title']!r}  ~  {b['id']} {b['title']!r}")
            self.stdout.write(f"      {'; '.join(f.reasons)}")
        self.stdout.write(self.style.SUCCESS(run.message))
