"""`make bench` runs these commands at full size; here they run small, so they keep working and keep
printing the figures the README quotes (the figures themselves are never asserted)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def run_json(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_duplication_benchmark_finds_the_planted_pairs_and_times_consultations():
    figures = run_json("bench_duplicates", "--activities", "600", "--consultations", "5", "--allow-wipe")

    assert figures["activities"] == 600
    assert figures["planted_pairs"] > 0
    # Small and clean data: the engine finds the planted pairs (the real figures come from 100,000).
    assert figures["recall"] >= 0.9
    assert figures["precision"] >= 0.9
    # The full run ran in a process of its own and reported its memory; five consultations were timed.
    assert 0 < figures["peak_rss_mib"] < figures["bench_process_peak_rss_mib"] * 4
    assert figures["consult_p50_ms"] > 0
    assert figures["consult_path"] == "POST /api/consult/"


def test_duplication_benchmark_refuses_to_wipe_a_database_not_meant_for_it():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Refusing to wipe"):
        call_command("bench_duplicates", "--activities", "10", stdout=StringIO(), stderr=StringIO())


def test_activity_list_benchmark_reports_each_personas_timings_and_queries():
    figures = run_json("bench_activity_list", "--activities", "60", "--requests", "2")

    assert figures["activities"] >= 60
    for persona in ("partner_editor", "lead_partner", "support_group"):
        assert figures[f"{persona}_p50_ms"] > 0
        assert 0 < figures[f"{persona}_queries"] <= 25
