from django.core.management.base import BaseCommand

from iisg_portal import demo
from partners.services import roles_ensure


class Command(BaseCommand):
    help = "Load realistic IISG demo data (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=300, help="How many demo activities (0: structure only).")
        parser.add_argument(
            "--no-duplication-report",
            action="store_true",
            help="Do not run the first duplication report (the demo's templated texts are no test of it at scale).",
        )

    def handle(self, *args, activities: int, no_duplication_report: bool = False, **options):
        if activities < 0:
            self.stderr.write("--activities must be 0 or more.")
            raise SystemExit(2)
        roles_ensure()
        structure = demo.build_structure()
        created = demo.build_activities(activities, structure)
        if activities and not no_duplication_report and demo.first_duplication_report():
            self.stdout.write("Ran the first duplication report: its flags are on the Duplication page.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {created} new activities ({activities} requested)."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for email, full_name, *_ in demo.DEMO_USERS:
            self.stdout.write(f"  {email:28} {full_name}")
