"""The deployed web server (iisg_portal/gunicorn.py): real gunicorn, real database."""

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.ipas.factories import ActivityFactory
from tests.utils import database_url, wait_for

ROOT = Path(__file__).resolve().parent.parent


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_the_master_builds_the_consult_index_before_forking_the_workers(countries, tmp_path):
    ActivityFactory.create_batch(3)
    port = _spare_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iisg_portal.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own server
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:iisg_portal.gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "iisg_portal.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: b"Booting worker" in log.read_bytes() or server.poll() is not None,
            timeout=60,
            message="gunicorn to fork its workers",
        )
        text = log.read_text()
        assert "Consult index of 3 activities built" in text, text
        # Built before the first worker was forked, and the workers answer (their own database connections).
        assert text.index("Consult index of 3 activities") < text.index("Booting worker")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=30) as response:  # noqa: S310
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
