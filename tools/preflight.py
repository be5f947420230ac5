"""Check that PostgreSQL and Redis answer before anything else runs, and say in one line what to do if not.

Usage: python -m tools.preflight  (creates the portal's database when the server has none yet)
"""

import sys

import environ
import psycopg
import redis

HINT = "start it (see README: 'Services'), or run: docker compose up -d db redis"


def main() -> int:
    env = environ.Env()
    environ.Env.read_env(".env", overwrite=False)
    db = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/iisg")
    redis_url = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
    where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    try:
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{db["NAME"]}"')  # noqa: S608 - name from our own settings
                print(f"Created database {db['NAME']} on {where}.")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable at {where} ({str(exc).splitlines()[0]}): {HINT}", file=sys.stderr)
        return 1
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        print(f"Redis is not reachable at {redis_url} ({exc}): {HINT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
