"""The consultation's index follows the data: changed activities are patched in at once, without
rebuilding the whole index, and a large change builds it again."""

import pytest

from ipas.duplication import engine
from ipas.duplication.engine import consultation
from ipas.models import Activity
from tests.ipas.factories import ActivityFactory, FundingFactory

ASSET_RECOVERY = engine.Concept(
    title="Training on asset recovery and financial investigations",
    description="Tracing criminal assets with prosecutors and the Financial Intelligence Unit.",
)
BORDER_CAMERAS = engine.Concept(
    title="Thermal cameras for the green border",
    description="Border police stations receive thermal imaging cameras and drones for night patrols.",
)


@pytest.fixture
def fresh_index(monkeypatch):
    """Each test starts with no index in this process (the next consultation builds one)."""
    monkeypatch.setattr(consultation, "_INDEX", None)


@pytest.fixture
def activities(fresh_index, db):
    return {
        "assets": ActivityFactory(
            title="Regional training on financial investigations and asset recovery",
            description="Prosecutors and the Financial Intelligence Unit trace criminal assets in Belgrade.",
        ),
        "drugs": ActivityFactory(
            title="Intelligence exchange on cocaine trafficking through ports",
            description="Customs and police analysts share container intelligence on the Balkan route.",
        ),
    }


def found(concept) -> list[int]:
    return [pk for pk, _t, _d in engine.consult_index().candidates(concept)]


def title_cosine(activity_id: int, concept) -> float:
    return next((t for pk, t, _d in engine.consult_index().candidates(concept) if pk == activity_id), 0.0)


def test_a_changed_activity_is_found_by_its_new_text_only_and_the_index_is_patched(activities):
    assets = activities["assets"]
    assert found(ASSET_RECOVERY)[0] == assets.pk
    built = engine.consult_index()

    assets.title, assets.description = BORDER_CAMERAS.title, BORDER_CAMERAS.description
    assets.save()
    newcomer = ActivityFactory(title=ASSET_RECOVERY.title, description=ASSET_RECOVERY.description)

    patched = engine.consult_index()
    assert patched is not built and patched.base is built  # patched, not rebuilt
    assert found(BORDER_CAMERAS)[0] == assets.pk
    assert assets.pk not in found(ASSET_RECOVERY)
    assert found(ASSET_RECOVERY)[0] == newcomer.pk
    # What a match shows of the activity comes from its new state too.
    FundingFactory(activity=newcomer)
    assert engine.consult_index().facts(newcomer.pk)["donors"] == tuple(
        newcomer.fundings.values_list("donor", flat=True)
    )


def test_a_withdrawn_activity_drops_out(activities):
    assert activities["assets"].pk in found(ASSET_RECOVERY)
    Activity.objects.filter(pk=activities["assets"].pk).update(approval_state=Activity.ApprovalState.WITHDRAWN)

    assert activities["assets"].pk not in found(ASSET_RECOVERY)
    assert activities["drugs"].pk in found(
        engine.Concept(title="Cocaine trafficking intelligence", description="Container intelligence in ports.")
    )


def test_many_changes_build_the_index_again(activities, monkeypatch):
    built = engine.consult_index()
    monkeypatch.setattr(consultation, "CONSULT_REBUILD_AFTER", 1)
    for activity in activities.values():
        activity.title += " (phase II)"
        activity.save()

    rebuilt = engine.consult_index()
    assert rebuilt.base is rebuilt and rebuilt is not built
    assert rebuilt.delta is None
    assert found(ASSET_RECOVERY)[0] == activities["assets"].pk


def test_an_unchanged_database_keeps_the_same_index(activities):
    assert engine.consult_index() is engine.consult_index()


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_that_commits_after_the_build_is_not_missed(fresh_index):
    """Audit event ids are taken when written, not when committed: a change committed after the index was
    built can carry an id below the last one the index saw. Its commit is noticed all the same."""
    from tests.utils import other_session

    slow = ActivityFactory(title="Intelligence exchange on cocaine trafficking through ports")
    other = ActivityFactory(title="Thermal cameras for the green border")
    with other_session() as importer:
        # A long transaction (an import, say) writes first...
        importer.execute(
            "UPDATE ipas_activity SET title = %s, description = %s WHERE id = %s",
            [ASSET_RECOVERY.title, ASSET_RECOVERY.description, slow.pk],
        )
        other.title += " (phase II)"  # ...another change commits meanwhile (a higher event id)...
        other.save()
        assert title_cosine(slow.pk, ASSET_RECOVERY) < 0.5  # ...the index is built without the first one...
        importer.commit()  # ...which commits now, under the index's last event id.

    assert title_cosine(slow.pk, ASSET_RECOVERY) > 0.99  # its commit alone brings it in


def test_a_version_moved_without_any_activity_changed_keeps_the_same_activities(activities):
    built = engine.consult_index()
    patched = built.patched(("moved",), (), [])  # e.g. events of rows since deleted: nothing to read again

    assert patched.delta is not None and len(patched.delta.corpus) == 0
    assert [pk for pk, _t, _d in patched.candidates(ASSET_RECOVERY)][0] == activities["assets"].pk
