"""Progress of long jobs that write in one transaction (an import is all or nothing): the worker cannot
report through the database until it commits, so it reports through Redis, which every web process reads.

Jobs that commit as they go (duplication runs, meeting packs) keep their progress on their own row.
"""

import logging

from django.core.cache import caches

logger = logging.getLogger(__name__)

# A job's progress outlives the job by a day at most; the job's row is the lasting record.
_KEEP_SECONDS = 24 * 3600


def _key(kind: str, pk: int) -> str:
    return f"progress:{kind}:{pk}"


def progress_set(kind: str, pk: int, percent: int, message: str) -> None:
    """Best effort: a job never fails because its progress could not be shown."""
    try:
        caches["progress"].set(_key(kind, pk), (max(0, min(100, int(percent))), message[:300]), _KEEP_SECONDS)
    except Exception:  # Redis unreachable or full: the page shows less, the job goes on
        logger.warning("Progress of %s %s not recorded", kind, pk, exc_info=True)


def progress_get(kind: str, pk: int) -> tuple[int, str] | None:
    """(percent, message) last reported for the job, or None before its first report (or without Redis)."""
    try:
        value = caches["progress"].get(_key(kind, pk))
    except Exception:
        logger.warning("Progress of %s %s not read", kind, pk, exc_info=True)
        return None
    return tuple(value) if value else None


def progress_clear(kind: str, pk: int) -> None:
    try:
        caches["progress"].delete(_key(kind, pk))
    except Exception:  # it expires on its own within a day
        logger.warning("Progress of %s %s not cleared", kind, pk, exc_info=True)
