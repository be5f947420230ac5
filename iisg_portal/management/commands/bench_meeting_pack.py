"""`make bench`: seed N demo activities, then time building a meeting's whole pack (PDF, Word, Excel, ZIP)."""

import json
import logging
import time

from django.core.management.base import BaseCommand

from board.models import Meeting
from board.packs import build_pack_files, zip_files
from iisg_portal.demo import build_activities, build_structure
from partners.services import roles_ensure


class Command(BaseCommand):
    help = "Seed demo activities and time building the whole meeting pack ZIP; prints one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=5000)

    def handle(self, *args, activities, **options):
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        roles_ensure()
        started = time.monotonic()
        structure = build_structure()
        build_activities(activities, structure)
        seeded = time.monotonic() - started
        meeting = Meeting.objects.order_by("date").first()
        steps: dict[str, float] = {}
        current = {"message": None, "since": time.monotonic()}

        def progress(percent, message):
            # Each step's time is charged to the message announcing it.
            now = time.monotonic()
            if current["message"]:
                steps[current["message"]] = round(now - current["since"], 2)
            current.update(message=message, since=now)

        started = time.monotonic()
        files, summary, _ = build_pack_files(meeting, version=1, progress=progress)
        progress(100, "")
        archive = zip_files(meeting, 1, files)
        seconds = time.monotonic() - started
        import io

        from pypdf import PdfReader  # a development requirement, as is `make bench`

        pages = len(PdfReader(io.BytesIO(files["pdf"])).pages)
        self.stdout.write(
            json.dumps(
                {
                    "bench": "meeting_pack",
                    "activities": summary["approved_activities"],
                    "seeded_activities": activities,
                    "seed_seconds": round(seeded, 1),
                    "zip_seconds": round(seconds, 2),
                    "target_seconds": 15,
                    "pdf_pages": pages,
                    "bytes": {**{fmt: len(content) for fmt, content in files.items()}, "zip": len(archive)},
                    "steps_seconds": steps,
                }
            )
        )
