"""Build a meeting pack from the command line: the same builders as the "Build meeting pack" button."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from board.models import Meeting
from board.packs import build_pack_files, zip_files


class Command(BaseCommand):
    help = "Write a meeting's pack as a PDF, Word document, Excel annex or a ZIP of all three."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        parser.add_argument("--format", choices=["pdf", "docx", "xlsx", "zip"], default="zip")
        parser.add_argument("-o", "--output", required=True, help="File to write ('-' is not supported).")

    def handle(self, *args, meeting_id, format, output, **options):
        meeting = Meeting.objects.filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"No meeting with id {meeting_id}.")
        formats = ("pdf", "docx", "xlsx") if format == "zip" else (format,)
        files, summary, _ = build_pack_files(meeting, formats=formats)
        content = zip_files(meeting, None, files) if format == "zip" else files[format]
        Path(output).write_bytes(content)
        self.stdout.write(
            f"Wrote {output} ({len(content):,} bytes; {summary['approved_activities']} approved activities)."
        )
