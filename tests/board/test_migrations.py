"""Migrations of the board app that move data, run forwards and backwards on the test database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.board.factories import MeetingPackFactory


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_0005_keeps_when_each_pack_was_asked_for_and_back(back_to_the_latest_migration):
    pack = MeetingPackFactory()
    asked_at = pack.created_at

    old = _migrate([("board", "0004_meeting_packs_attendance_corrections")]).get_model("board", "MeetingPack")
    assert old.objects.get(pk=pack.pk).requested_at == asked_at

    apps = _migrate([("board", "0005_background_job")])
    migrated = apps.get_model("board", "MeetingPack").objects.get(pk=pack.pk)
    assert (migrated.created_at, migrated.attempts) == (asked_at, 0)
    # The audit trail's copies of the pack follow the rename.
    events = apps.get_model("board", "MeetingPackEvent").objects.filter(pgh_obj_id=pack.pk)
    assert events.exists() and {event.created_at for event in events} == {asked_at}
