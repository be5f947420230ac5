"""Benchmark: the activity list page with N activities seeded (`make bench`). Prints one JSON line."""

import json
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from iisg_portal.security import second_factor_required
from ipas.models import Activity
from partners.models import User


class Command(BaseCommand):
    help = "Seed N demo activities (idempotent) and time the activity list page as three personas."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=100_000)
        parser.add_argument("--requests", type=int, default=30)

    def handle(self, *args, activities: int, requests: int, **options):
        started = time.monotonic()
        # The list's figures, without a duplication report over 100,000 templated demo texts (bench_duplicates
        # measures the report on data built for it).
        call_command(
            "seed_demo",
            activities=activities,
            no_duplication_report=True,
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
        seed_s = time.monotonic() - started
        # Statistics as autovacuum would soon leave them after a bulk load (the figures are for a steady
        # state, not for the minute after 100,000 rows arrived).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        results = {"activities": Activity.objects.count(), "seed_s": round(seed_s, 1)}

        for persona, email in [
            ("partner_editor", "editor.undp@iisg.demo"),
            ("lead_partner", "lead.dcaf@iisg.demo"),
            ("support_group", "support@iisg.demo"),
        ]:
            client = Client(SERVER_NAME="127.0.0.1")
            user = User.objects.get(email=email)
            client.force_login(user)
            if second_factor_required(user):
                _second_factor_verified(client, user)
            for path in ("/activities/", "/activities/?pillar=WBCTi&country=RS&sort=-start&page=3"):
                client.get(path)  # warm up
                timings = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - t0) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{path} answered {response.status_code}")
                with CaptureQueriesContext(connection) as queries:
                    client.get(path)
                key = f"{persona}{'_filtered' if '?' in path else ''}"
                results[f"{key}_p50_ms"] = round(statistics.median(timings), 1)
                results[f"{key}_p95_ms"] = round(sorted(timings)[int(len(timings) * 0.95) - 1], 1)
                results[f"{key}_queries"] = len(queries)
        self.stdout.write(json.dumps(results))


def _second_factor_verified(client, user) -> None:
    """Privileged roles sign in with a second factor: their session is measured as it is after the code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device)
    request.session.save()
