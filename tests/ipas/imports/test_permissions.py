"""Who may import lists of activities, asked of the services themselves: the upload page, the worker and the
import_activities command get the same answer."""

import pytest
from django.core.management import CommandError, call_command

from iisg_portal.errors import PortalError
from ipas.imports.reading import read_table
from ipas.imports.services import activities_import, activity_import_execute, activity_import_start
from ipas.models import Activity, ActivityImport
from partners import roles
from partners.models import Organisation
from partners.services import staff_role_set
from tests.ipas.import_files import GOOD_ROWS, csv_bytes

# Personas who do not hold ipas.import_activities.
WITHOUT_THE_RIGHT = ["editor", "lead", "secretariat"]
REFUSED = "Only Support Group staff may import lists of activities"


@pytest.fixture
def world(objective, other_objective, partner_org, donor, other_donor, countries):
    return objective


def _table():
    return read_table(csv_bytes(*GOOD_ROWS), "donor.csv")  # its second row names an organisation new to the portal


def _organisations():
    return set(Organisation.objects.values_list("name", flat=True))


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("persona", WITHOUT_THE_RIGHT)
def test_a_person_without_the_right_imports_nothing(request, persona, dry_run, world):
    organisations = _organisations()
    with pytest.raises(PortalError, match=REFUSED):
        activities_import(actor=request.getfixturevalue(persona), table=_table(), filename="donor.csv", dry_run=dry_run)
    assert not Activity.objects.exists()
    assert _organisations() == organisations


@pytest.mark.parametrize("actor", ["support", None])
def test_support_staff_and_the_system_import(request, actor, world):
    plan = activities_import(actor=request.getfixturevalue(actor) if actor else None, table=_table(), filename="d.csv")
    assert plan.ok and Activity.objects.count() == 2


@pytest.mark.parametrize("persona", [*WITHOUT_THE_RIGHT, None])
def test_no_import_is_queued_for_someone_without_the_right(request, persona, world):
    actor = request.getfixturevalue(persona) if persona else None
    with pytest.raises(PortalError, match=REFUSED):
        activity_import_start(actor=actor, table=_table(), owner=None, filename="donor.csv")
    assert not ActivityImport.objects.exists()


def test_an_import_queued_by_someone_who_has_since_lost_the_right_imports_nothing(support, world):
    job = activity_import_start(actor=support, table=_table(), owner=None, filename="donor.csv")
    assert job.status == "queued"
    staff_role_set(actor=None, user=support, role=roles.SUPPORT_GROUP_STAFF, member=False)
    done = activity_import_execute(import_id=job.pk)
    assert done.status == "failed" and done.message.startswith(REFUSED)
    assert not Activity.objects.exists()


def test_the_command_imports_as_a_person_only_with_the_right(tmp_path, capsys, world, editor, support):
    path = tmp_path / "donor.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    with pytest.raises(CommandError, match=REFUSED):
        call_command("import_activities", str(path), "--actor", editor.email)
    assert not Activity.objects.exists()
    call_command("import_activities", str(path), "--actor", support.email)
    assert "Imported: 2 created" in capsys.readouterr().out
    assert set(Activity.objects.values_list("created_by", flat=True)) == {support.pk}
