"""Who may run, settle, reopen and export the duplication report, asked of the services themselves: every door
(page, API, task, command, admin) gets the same answer."""

import pytest
from django.contrib.auth.models import AnonymousUser

from iisg_portal.errors import PortalError
from ipas.duplication.report_files import duplication_export_request
from ipas.duplication.selectors import FlagFilters
from ipas.duplication.services import duplicate_flag_reopen, duplicate_flag_resolve, duplication_run_start
from ipas.models import DuplicateFlag, DuplicationExport, DuplicationRun
from partners.models import Country
from tests.ipas.factories import ActivityFactory

# Personas who may see flags or reports but do not hold ipas.run_duplication_report.
WITHOUT_THE_RIGHT = ["editor", "lead", "secretariat", "observer"]


@pytest.fixture
def flag(partner_org, other_org, countries):
    """A flag on an activity of the editor's organisation: the editor sees it on "my flags"."""
    a = ActivityFactory(title="Training on asset recovery", organisation=partner_org, countries=["RS"])
    b = ActivityFactory(title="Course on asset recovery", organisation=other_org, countries=["RS"])
    return DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=0.81, reasons=["title 81% similar"])


def _row(flag):
    return DuplicateFlag.objects.filter(pk=flag.pk).values().get()


@pytest.mark.parametrize("persona", WITHOUT_THE_RIGHT)
def test_a_person_without_the_right_starts_no_run(request, persona):
    with pytest.raises(PortalError, match="Only Support Group staff may run the duplication report"):
        duplication_run_start(actor=request.getfixturevalue(persona), enqueue=False)
    assert not DuplicationRun.objects.exists()


def test_an_anonymous_actor_starts_no_run(db):
    with pytest.raises(PortalError):
        duplication_run_start(actor=AnonymousUser(), enqueue=False)
    assert not DuplicationRun.objects.exists()


def test_support_staff_and_the_system_start_runs(support):
    run = duplication_run_start(actor=support, enqueue=False)
    assert run.requested_by == support
    DuplicationRun.objects.all().delete()
    nightly = duplication_run_start(actor=None, trigger=DuplicationRun.Trigger.NIGHTLY, enqueue=False)
    assert nightly.requested_by is None and nightly.trigger == "nightly"


@pytest.mark.parametrize("persona", WITHOUT_THE_RIGHT)
def test_a_person_without_the_right_settles_no_flag(request, persona, flag):
    before = _row(flag)
    with pytest.raises(PortalError, match="Only Support Group staff may settle duplication flags"):
        duplicate_flag_resolve(actor=request.getfixturevalue(persona), flag=flag, resolution="unrelated")
    assert _row(flag) == before


def test_no_one_settles_a_flag_in_the_systems_name(flag):
    before = _row(flag)
    with pytest.raises(PortalError):
        duplicate_flag_resolve(actor=None, flag=flag, resolution="unrelated")
    assert _row(flag) == before


def test_support_staff_settle_and_reopen_flags(support, flag):
    settled = duplicate_flag_resolve(actor=support, flag=flag, resolution="complementary", note="Two modules.")
    assert (settled.resolution, settled.resolved_by) == ("complementary", support)
    reopened = duplicate_flag_reopen(actor=support, flag=flag)
    assert (reopened.resolution, reopened.previous_resolution) == ("", "complementary")


@pytest.mark.parametrize("persona", [*WITHOUT_THE_RIGHT, None])
def test_a_settled_flag_is_reopened_by_no_one_without_the_right(request, persona, support, flag):
    duplicate_flag_resolve(actor=support, flag=flag, resolution="duplicate")
    before = _row(flag)
    actor = request.getfixturevalue(persona) if persona else None
    with pytest.raises(PortalError, match="Only Support Group staff may open a settled flag again"):
        duplicate_flag_reopen(actor=actor, flag=flag)
    assert _row(flag) == before


@pytest.mark.parametrize("persona", [*WITHOUT_THE_RIGHT, None])
def test_a_person_without_the_right_asks_for_no_export(request, persona, flag):
    actor = request.getfixturevalue(persona) if persona else None
    with pytest.raises(PortalError, match="Only Support Group staff may export the duplication report"):
        duplication_export_request(actor=actor, fmt="xlsx", filters=FlagFilters())
    assert not DuplicationExport.objects.exists()


def test_support_staff_ask_for_an_export(support, flag):
    export = duplication_export_request(
        actor=support, fmt="pdf", filters=FlagFilters(country=Country.objects.get(code="RS"))
    )
    assert (export.requested_by, export.format, export.status) == (support, "pdf", "queued")
