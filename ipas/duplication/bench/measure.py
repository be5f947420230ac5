"""The benchmark's measurements: a full run (and a run again over its flags) each in a fresh process, as in a
Celery worker; consultations timed end to end through a Django view; precision and recall on the planted pairs."""

import multiprocessing
import random
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from ipas.duplication.bench.generator import generate, make_base, reword
from ipas.duplication.bench.load import load_into_database


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    n: int, *, consultations: int, seed: int, consult_via: str, database: str, log: Callable[[str], None]
) -> dict:
    """Generate `n` activities, load them into `database` (wiping its activities), measure; the figures, in the
    order the command prints them."""
    started = time.monotonic()
    data, planted = generate(n, seed)
    log(
        f"generated {n} activities, {len(planted)} planted pairs in {time.monotonic() - started:.1f} s"
        f" (peak RSS so far {peak_rss_mib():.0f} MiB)"
    )
    started = time.monotonic()
    ids, world = load_into_database(data)
    del data
    log(f"inserted in {time.monotonic() - started:.1f} s (peak RSS so far {peak_rss_mib():.0f} MiB)")
    planted_ids = {(min(ids[x], ids[y]), max(ids[x], ids[y])) for x, y in planted}

    from ipas.duplication.services import duplication_run_start
    from ipas.models import DuplicateFlag

    run = duplication_run_start(actor=world["support"], trigger="command", enqueue=False)
    # The report runs in a fresh process, as in a Celery worker: its memory is the engine's, not that of
    # the 100,000 synthetic activities this process generated.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        full_run_s, full_run_rss = pool.submit(full_run_in_own_process, run.pk, database).result()
        # The nightly case: the report runs again over flags it already holds.
        again = duplication_run_start(actor=world["support"], trigger="command", enqueue=False)
        rerun_s, full_run_rss = pool.submit(full_run_in_own_process, again.pk, database).result()
    flagged = set(DuplicateFlag.objects.open().values_list("activity_a_id", "activity_b_id"))
    true_positive = len(flagged & planted_ids)
    precision = true_positive / len(flagged) if flagged else 0.0
    recall = true_positive / len(planted_ids) if planted_ids else 1.0
    log(
        f"full run {full_run_s:.2f} s: {len(flagged)} flags, {true_positive} planted found"
        f" (run again over its flags: {rerun_s:.2f} s; peak RSS of their process {full_run_rss:.0f} MiB)"
    )

    # Pages link static files; without collectstatic the hashed storage has no manifest to read.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        timings, consult_path = run_consultations(world, ids, consultations, seed, via=consult_via)
        # As in real use, entries are saved between consultations: each of these follows a change.
        after_change, _ = run_consultations(
            world,
            ids,
            consultations // 5,
            seed + 7,
            via=consult_via,
            change_before_each=True,
        )
    return {
        "activities": n,
        "full_run_s": round(full_run_s, 2),
        "full_rerun_s": round(rerun_s, 2),
        "peak_rss_mib": round(full_run_rss, 1),
        "bench_process_peak_rss_mib": round(peak_rss_mib(), 1),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "consult_p50_ms": round(statistics.median(timings), 1) if timings else None,
        "consult_p95_ms": round(_p95(timings), 1) if timings else None,
        "consult_path": f"POST {consult_path}",
        "consult_after_change_p50_ms": round(statistics.median(after_change), 1) if after_change else None,
        "consult_after_change_p95_ms": round(_p95(after_change), 1) if after_change else None,
        "planted_pairs": len(planted_ids),
        "flagged_pairs": len(flagged),
    }


def full_run_in_own_process(run_id: int, database: str) -> tuple[float, float]:
    """The full report of `run_id` in this (fresh) process on `database`: (seconds, peak RSS in MiB)."""
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database
    from ipas.duplication.services import duplication_run_execute

    started = time.monotonic()
    duplication_run_execute(run_id=run_id)
    seconds = time.monotonic() - started
    connections.close_all()
    return seconds, peak_rss_mib()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run_consultations(
    world: dict, ids: list[int], count: int, seed: int, via: str = "api", change_before_each: bool = False
) -> tuple[list[float], str]:
    """Concepts a donor might type (reworded activities, some new), as a signed-in partner, end to end through a
    Django view with the database: the API endpoint (JSON) or the page (form post, HTML answer).

    With `change_before_each`, one activity is changed (untimed) before each consultation, so each one finds
    its index out of date, as happens while partners log their entries.

    Returns the timings in ms and the path measured.
    """
    rng = random.Random(seed + 1)
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "127.0.0.1")
    client = Client(SERVER_NAME=host, HTTP_HOST=host)
    client.force_login(world["editor"])
    url = reverse("api:consult") if via == "api" else reverse("ipas:consult")
    if not count:
        return [], url
    concepts = []
    for _ in range(count + 1):
        base = make_base(rng)
        concept = reword(base, rng)
        concepts.append(
            {
                "title": concept["title"],
                "description": " ".join(concept["sentences"]),
                "beneficiaries": concept["countries"],
                # The API names the pillar by its code, the page's form by its id.
                "pillar": base["pillar"] if via == "api" else world["pillars"][base["pillar"]],
                "start": concept["start"].isoformat(),
                "end": concept["end"].isoformat(),
                "intended_donor": world["donors"][concept["donors"][0]],
            }
        )

    def post(concept):
        if via == "api":
            return client.post(url, concept, content_type="application/json")
        return client.post(url, concept)

    # The first request builds this process's index (once per data version); it is not a consultation figure.
    response = post(concepts[0])
    if response.status_code != 200:
        raise CommandError(f"consult answered {response.status_code}: {response.content[:300]!r}")
    from django.db.models import F

    from ipas.models import Activity

    timings = []
    for concept in concepts[1:]:
        if change_before_each:
            Activity.objects.filter(pk=rng.choice(ids)).update(version=F("version") + 1)
        started = time.perf_counter()
        response = post(concept)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise CommandError(f"consult answered {response.status_code}: {response.content[:300]!r}")
    return timings, url
