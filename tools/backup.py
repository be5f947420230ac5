"""Back up and restore the portal: the database (pg_dump, custom format) and the media folder, in one archive.

    python -m tools.backup backup FILE             make FILE (.tar.gz): db.dump, media/, manifest.json
    python -m tools.backup restore FILE [--force]  into the database named by DATABASE_URL, which must be
                                                   empty (or absent: it is created) unless --force
    python -m tools.backup check FILE              restore into a scratch database, compare every table's
                                                   rows with the manifest, drop the scratch database

The manifest holds each table's row count and a checksum of its rows, taken inside the dump's own snapshot
(pg_dump runs with the snapshot the manifest was read in), so `check` proves the archive restores to exactly
what was backed up. Generated files (meeting packs, report files) and import lists live in the database;
the media folder is kept for files a deployment may add there.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import environ
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iisg"


def database() -> dict:
    env = environ.Env()
    environ.Env.read_env(str(ROOT / ".env"), overwrite=False)
    return env.db("DATABASE_URL", default=DEFAULT_URL)


def media_root() -> Path:
    return Path(os.environ.get("DJANGO_MEDIA_ROOT", ROOT / "media"))


def connect(db: dict, name: str | None = None, **options) -> psycopg.Connection:
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=name or db["NAME"],
        **options,
    )


def pg_env(db: dict) -> dict:
    """libpq's variables for pg_dump/pg_restore (the password never appears on a command line)."""
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"]}
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def table_digests(conn: psycopg.Connection) -> dict[str, dict]:
    """Row count and checksum (md5 of the rows' text, in a fixed order) of every table of the public schema."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    digests = {}
    for table in tables:
        count, checksum = conn.execute(
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
            ).format(sql.Identifier(table))
        ).fetchone()
        digests[table] = {"rows": count, "checksum": checksum}
    return digests


def backup(path: Path) -> dict:
    db = database()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "db.dump"
        # One snapshot for the manifest and the dump: what the manifest says is exactly what the dump holds.
        with connect(db, autocommit=True) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            digests = table_digests(conn)
            subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump), db["NAME"]],  # noqa: S607
                check=True,
                env=pg_env(db),
            )
            conn.execute("COMMIT")
        manifest = {
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": db["NAME"],
            "pg_dump": subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout.strip(),  # noqa: S607
            "tables": digests,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "w:gz") as archive:
            archive.add(dump, arcname="db.dump")
            if media_root().is_dir():
                archive.add(media_root(), arcname="media")
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return manifest


def read_manifest(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise SystemExit(f"{path} has no manifest.json: not a backup of this portal.")
        return json.load(member)


def is_empty(db: dict, name: str) -> bool | None:
    """True for a database without tables, None when it does not exist."""
    with connect(db, "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with connect(db, name) as conn:
        return not conn.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1").fetchone()


def restore(path: Path, *, force: bool = False, name: str | None = None, media: Path | None = None) -> None:
    db = database()
    name = name or db["NAME"]
    empty = is_empty(db, name)
    if empty is None:
        with connect(db, "postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    elif not empty:
        if not force:
            raise SystemExit(
                f"Database {name} is not empty: restore into an empty one, or add --force to replace its contents."
            )
        with connect(db, name, autocommit=True) as conn:  # --force: start from an empty schema
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r:gz") as archive:
        archive.extractall(tmp, filter="data")
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", name, str(Path(tmp) / "db.dump")],  # noqa: S607
            check=True,
            env=pg_env(db),
        )
        if (Path(tmp) / "media").is_dir():
            target = media or media_root()
            target.mkdir(parents=True, exist_ok=True)
            for source in (Path(tmp) / "media").rglob("*"):
                if source.is_file():
                    destination = target / source.relative_to(Path(tmp) / "media")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(source.read_bytes())


def compare(manifest: dict, digests: dict) -> list[str]:
    """What differs between the manifest's tables and a database's (empty: identical)."""
    problems = []
    for table in sorted(set(manifest["tables"]) | set(digests)):
        want, got = manifest["tables"].get(table), digests.get(table)
        if want != got:
            problems.append(f"{table}: backed up {want}, restored {got}")
    return problems


@contextmanager
def scratch_database(db: dict):
    name = f"{db['NAME']}_check_{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        with connect(db, "postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def check(path: Path) -> list[str]:
    db = database()
    manifest = read_manifest(path)
    with scratch_database(db) as name, tempfile.TemporaryDirectory() as media:
        restore(path, name=name, media=Path(media))
        with connect(db, name) as conn:
            return compare(manifest, table_digests(conn))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backup", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "restore", "check"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--force", action="store_true", help="restore over a database that is not empty")
    args = parser.parse_args(argv)
    if args.action == "backup":
        manifest = backup(args.file)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        print(f"Backed up {manifest['database']}: {len(manifest['tables'])} tables, {rows:,} rows -> {args.file}")
    elif args.action == "restore":
        restore(args.file, force=args.force)
        print(f"Restored {args.file} into {database()['NAME']}.")
    else:
        problems = check(args.file)
        for line in problems:
            print(line)
        if problems:
            print(f"{args.file}: {len(problems)} table(s) differ from the manifest.")
            return 1
        print(f"{args.file}: restores to exactly what was backed up (every table's rows and checksum).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
