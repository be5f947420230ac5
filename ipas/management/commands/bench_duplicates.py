"""`manage.py bench_duplicates --activities N`: synthetic activities with planted duplicates, one JSON line.

Meant for a database of its own (tools/bench.py gives it one): it wipes the activities it finds there. The data,
its loading and the measurements live in ipas/duplication/bench/ (see its docstring for how the data is built).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ipas.duplication.bench.measure import measure


class Command(BaseCommand):
    help = "Benchmark the duplication engine on N synthetic activities; prints one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=10_000)
        parser.add_argument("--consultations", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=20170908)
        parser.add_argument(
            "--consult-via",
            choices=["api", "page"],
            default="api",
            help="Consult through the API endpoint (JSON, the default) or the HTML page (form post).",
        )
        parser.add_argument(
            "--allow-wipe",
            action="store_true",
            help="Wipe activities even when the database name does not contain 'bench'.",
        )

    def handle(self, *args, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not options["allow_wipe"]:
            raise CommandError(f"Refusing to wipe database {name!r}: use a bench database or --allow-wipe.")
        figures = measure(
            options["activities"],
            consultations=options["consultations"],
            seed=options["seed"],
            consult_via=options["consult_via"],
            database=name,
            log=self.stderr.write,
        )
        self.stdout.write(json.dumps(figures))
