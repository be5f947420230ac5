"""`make bench`: run every benchmark, each in a database of its own, and print its figures.

Each benchmark is a management command that prints one JSON line. Figures are measurements, never
assertions: speed targets are checked by reading them here, not by timed tests.
"""

import os
import subprocess
import sys
import time

import environ

BENCHMARKS = [
    # (database suffix, command and arguments)
    ("list", ["bench_activity_list", "--activities", "100000"]),
    ("dup", ["bench_duplicates", "--activities", "100000"]),
    ("pack", ["bench_meeting_pack", "--activities", "5000"]),
]


def main() -> int:
    env = environ.Env()
    base = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/iisg")
    failures = 0
    for suffix, command in BENCHMARKS:
        name = f"{base['NAME']}_bench_{suffix}"
        password = f":{base['PASSWORD']}" if base["PASSWORD"] else ""
        url = f"postgres://{base['USER']}{password}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/{name}"
        # Production settings, but plain static storage: a benchmark has no collectstatic manifest.
        child_env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
        print(f"== {' '.join(command)} (database {name})", flush=True)
        started = time.monotonic()
        steps = [
            [sys.executable, "-m", "tools.preflight"],
            [sys.executable, "manage.py", "migrate", "-v0"],
            [sys.executable, "manage.py", *command],
        ]
        for step in steps:
            result = subprocess.run(step, env=child_env, check=False)  # noqa: S603 - our own commands
            if result.returncode != 0:
                print(f"!! {' '.join(step)} failed with exit code {result.returncode}", flush=True)
                failures += 1
                break
        print(f"   ({time.monotonic() - started:.0f} s in all)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
