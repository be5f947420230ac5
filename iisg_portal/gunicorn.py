"""Gunicorn settings of the deployed portal (`gunicorn -c python:iisg_portal.gunicorn`, see the Dockerfile).

The consult index (ipas/duplication/engine) takes seconds to build at 100,000 activities and a few hundred MiB.
The application is loaded once in the master, which builds the index before forking: every worker starts
with it (its arrays shared copy-on-write, not copied) and patches in what changes later.
"""

import time

bind = "0.0.0.0:8000"
workers = 3
preload_app = True
# The longest requests (a PDF export of 1,000 flags, reading an uploaded list) take about 10 s here.
timeout = 60


def when_ready(server):
    """In the master, after the application is loaded and before any worker is forked."""
    from django.db import connections

    from ipas.duplication.engine import consult_index

    started = time.monotonic()
    try:
        index = consult_index()
        server.log.info("Consult index of %s activities built in %.1f s", len(index.corpus), time.monotonic() - started)
    except Exception:  # e.g. the database is not migrated yet: each worker builds it at its first consultation
        server.log.exception("Consult index not built before forking the workers")
    finally:
        # No database connection or pool may cross the fork: workers open their own.
        for connection in connections.all():
            connection.close()
            if hasattr(connection, "close_pool"):
                connection.close_pool()
