"""Backup and restore end to end (tools/backup.py, `make backup` / `make restore`): the demo data backed up,
restored into an empty database, every table equal, and the restored portal serving a page and a meeting pack."""

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from psycopg import sql

from board.models import Meeting
from tests.utils import database_url
from tools import backup as tool

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


def _connect(name: str, **options):
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=name, **options
    )


def _row_counts(name: str) -> dict[str, int]:
    """Rows per table, read here without the tool's own code."""
    with _connect(name) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in tables
        }


@pytest.fixture
def restored_name():
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    yield name
    with _connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _in_restored(name: str, *args: str) -> subprocess.CompletedProcess:
    env_url = database_url().rsplit("/", 1)[0] + f"/{name}"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": env_url, "DJANGO_SETTINGS_MODULE": "iisg_portal.settings_test"},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_backup_of_the_demo_restores_to_the_same_portal(tmp_path, monkeypatch, restored_name):
    call_command("seed_demo", activities=30, stdout=io.StringIO())
    source = settings.DATABASES["default"]["NAME"]
    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(tmp_path / "media"))
    (tmp_path / "media" / "agenda").mkdir(parents=True)
    (tmp_path / "media" / "agenda" / "note.txt").write_text("Agenda note for the Board (Brdo pri Kranju)")
    archive = tmp_path / "iisg.tar.gz"

    manifest = tool.backup(archive)

    with tarfile.open(archive) as opened:
        assert {"db.dump", "manifest.json", "media/agenda/note.txt"} <= set(opened.getnames())
    assert manifest["tables"]["ipas_activity"]["rows"] == 30
    assert manifest["tables"]["board_meeting"]["rows"] >= 1

    # A database that is not empty is refused; an absent one is created.
    with pytest.raises(SystemExit, match="is not empty"):
        tool.restore(archive, name=source)
    restored_media = tmp_path / "restored-media"
    tool.restore(archive, name=restored_name, media=restored_media)

    assert _row_counts(restored_name) == _row_counts(source)
    with _connect(source) as a, _connect(restored_name) as b:
        assert tool.table_digests(b) == tool.table_digests(a)  # every table's rows, checksummed
    assert (restored_media / "agenda" / "note.txt").read_text().startswith("Agenda note")
    assert tool.check(archive) == []

    # The restored portal serves a signed-in page (a partner editor: no second factor to type) and builds a pack.
    page = _in_restored(
        restored_name,
        "shell",
        "-c",
        "from django.test import Client; from partners.models import User; c = Client(); "
        "c.force_login(User.objects.get(email='editor.undp@iisg.demo')); r = c.get('/'); "
        "print(r.status_code, 'Dashboard' in r.content.decode())",
    )
    assert page.stdout.strip().splitlines()[-1].split() == ["200", "True"], page.stderr
    meeting = Meeting.objects.order_by("pk").first()
    pdf = tmp_path / "pack.pdf"
    built = _in_restored(restored_name, "export_meeting_pack", str(meeting.pk), "--format", "pdf", "-o", str(pdf))
    assert built.returncode == 0, built.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_check_names_the_tables_that_differ():
    manifest = {
        "tables": {"ipas_activity": {"rows": 3, "checksum": "a"}, "board_meeting": {"rows": 1, "checksum": "b"}}
    }
    restored = {"ipas_activity": {"rows": 2, "checksum": "c"}, "board_meeting": {"rows": 1, "checksum": "b"}}
    assert tool.compare(manifest, restored) == [
        "ipas_activity: backed up {'rows': 3, 'checksum': 'a'}, restored {'rows': 2, 'checksum': 'c'}"
    ]
