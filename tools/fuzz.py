"""`make fuzz`: schemathesis against the portal's own OpenAPI schema, on a server of its own.

Run as a file by the fuzzing environment's Python (not imported: that environment has no Django). It seeds a
database of its own with the demo data, makes an API key for a demo partner editor, serves the portal on a
spare port and lets schemathesis generate requests from /api/schema/. Every answer must be documented by the
schema, no request may cause a server error, and requests the schema forbids must be refused.

Left out, with their reasons: `positive_data_acceptance` (an organisation id that the schema accepts may name
no organisation: that is a 400 with its message, not a fault) and `negative_data_rejection` (schemathesis
4.32's coverage phase reports the optional `pillar` as a missing required property: a false alarm, the schema
requires `title` only).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED_CHECKS = "positive_data_acceptance,negative_data_rejection"
DEMO_USER = "editor.undp@iisg.demo"


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iisg")
    parts = urlsplit(base)
    return parts._replace(path=f"{parts.path.rstrip('/')}_fuzz").geturl()


def _api_key(python: str, env: dict) -> str:
    """A key for the demo partner editor, made by the portal's own service."""
    code = (
        "from partners.models import User; from partners.services import api_key_issue; "
        f"print(api_key_issue(actor=User.objects.get(email='{DEMO_USER}'), name='make fuzz')[1])"
    )
    result = subprocess.run(  # noqa: S603 - our own command
        [python, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True, help="The project's Python (with Django).")
    parser.add_argument("--schemathesis", required=True)
    parser.add_argument("--max-examples", type=int, default=1000)
    args = parser.parse_args()

    port = _spare_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_DEBUG": "1"}
    for step in (["-m", "tools.preflight"], ["manage.py", "migrate", "-v0"], ["manage.py", "seed_demo"]):
        subprocess.run([args.python, *step], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own commands
    key = _api_key(args.python, env)
    log = tempfile.NamedTemporaryFile(prefix="iisg-fuzz-server-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"fuzz: portal on {base_url}, its log in {log.name}", flush=True)
    server = subprocess.Popen(  # noqa: S603
        [args.python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(120):
            try:
                requests.get(f"{base_url}/accounts/login/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        command = [
            args.schemathesis,
            "run",
            f"{base_url}/api/schema/",
            "--url",
            base_url,
            "-H",
            f"Authorization: Bearer {key}",
            "--checks",
            "all",
            "--exclude-checks",
            EXCLUDED_CHECKS,
            "--max-examples",
            str(args.max_examples),
        ]
        return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
