"""`manage.py import_activities FILE [--dry-run] [--organisation ORG] [--actor EMAIL]`: import a donor's list.

The same checks and the same service as the upload page (ipas/imports/).
A file with any bad row imports nothing; every bad row is reported with its number and the reason.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iisg_portal.errors import PortalError
from ipas.imports.plan import report_lines
from ipas.imports.reading import MAX_BYTES, ImportFileError, read_table
from ipas.imports.services import activities_import
from partners.models import User


class Command(BaseCommand):
    help = "Import activities from a donor's list (CSV UTF-8 or XLSX with a header row); see ipas/imports/plan.py."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--organisation",
            help="Whose list it is (name, short name or id): it owns the entries. "
            "Default: each row's implementing organisation.",
        )
        parser.add_argument("--actor", help="E-mail of the user recorded as importing (default: none).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path.name} is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")
        try:
            owner = None
            if options["organisation"]:
                from ipas.imports.plan import owner_lookup

                owner = owner_lookup(options["organisation"])
            actor = User.objects.get(email__iexact=options["actor"]) if options["actor"] else None
            table = read_table(path.read_bytes(), path.name)
            plan = activities_import(
                actor=actor, table=table, owner=owner, filename=path.name, dry_run=options["dry_run"]
            )
        except User.DoesNotExist as exc:
            raise CommandError(f"No user has the e-mail address {options['actor']}.") from exc
        except ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc.message} Nothing was imported.") from exc
        except PortalError as exc:
            raise CommandError(exc.message) from exc
        lines = report_lines(plan)
        if not plan.ok:
            self.stderr.write("\n".join(lines))
            bad = f"{plan.bad_rows} bad row(s)" if plan.errors else "the file cannot be imported"
            raise CommandError(f"{bad}: nothing was imported.")
        self.stdout.write("\n".join(lines))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            created = len(plan.new_organisations)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported: {plan.count('create')} created, {plan.count('update')} updated, "
                    f"{plan.count('unchanged')} unchanged; {created} organisation(s) created and marked for review."
                )
            )
