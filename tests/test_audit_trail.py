"""The audit trail has no gaps: who may do what (groups, permissions, Lead Partners), the links of an entry and
of a meeting, and the files the portal makes all leave events naming who did it and through which service."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, models, transaction
from guardian.shortcuts import assign_perm, remove_perm

from board.models import MeetingAttendee, MeetingPackFile, MeetingParticipant
from board.services import meeting_participants_set
from iisg_portal.audit import audited
from ipas.activities.services import activity_update
from ipas.duplication.report_files import duplication_export_request
from ipas.duplication.selectors import FlagFilters
from ipas.models import ActivityBeneficiary, ActivityTheme, DuplicationExport
from partners import roles
from partners.models import AuditContext, GroupPermission, UserGroup, UserPermission
from partners.services import membership_set, staff_role_set
from pillars.models import PillarCoLead, PillarGroupObjectPermission, PillarUserObjectPermission
from pillars.services import pillar_leads_set
from tests.board.factories import MeetingFactory, MeetingPackFactory
from tests.partners.factories import OrganisationFactory, UserFactory
from tests.pillars.factories import CrossCuttingThemeFactory


def events(tracked, **filters) -> list:
    """The events of a tracked model matching `filters`, oldest first, with their context."""
    return list(tracked.pgh_event_model.objects.filter(**filters).select_related("pgh_context").order_by("pgh_id"))


def said(event) -> tuple:
    """(label, who, which service) of an event."""
    metadata = event.pgh_context.metadata if event.pgh_context else {}
    return event.pgh_label, metadata.get("user"), metadata.get("action")


# --- who belongs to which group, and which permissions they hold ---------------------------------------------------


@pytest.mark.django_db
def test_giving_and_taking_a_staff_role_leaves_events_naming_who_did_it(admin_user):
    support = admin_user  # only administrators change staff roles
    officer = UserFactory(email="officer@iisg.example")
    staff = Group.objects.get(name=roles.SUPPORT_GROUP_STAFF)

    staff_role_set(actor=support, user=officer, role=roles.SUPPORT_GROUP_STAFF)
    staff_role_set(actor=support, user=officer, role=roles.SUPPORT_GROUP_STAFF, member=False)

    assert [said(e) for e in events(UserGroup, user=officer, group=staff)] == [
        ("insert", support.pk, "staff_role_set"),
        ("delete", support.pk, "staff_role_set"),
    ]


@pytest.mark.django_db
def test_a_membership_records_the_groups_it_gives(support, partner_org):
    newcomer = UserFactory(email="newcomer@undp.example")

    membership_set(actor=support, user=newcomer, organisation=partner_org, role="editor")

    added = {e.group.name: said(e) for e in events(UserGroup, user=newcomer)}
    assert added == {
        partner_org.group.name: ("insert", support.pk, "membership_set"),
        partner_org.editors_group.name: ("insert", support.pk, "membership_set"),  # editors hold Lead rights
        roles.PARTNER_EDITORS: ("insert", support.pk, "membership_set"),
    }


@pytest.mark.django_db
def test_global_permissions_of_a_user_or_a_group_are_audited(support):
    # The admin can grant them directly; the trail says so whatever the door.
    permission = Permission.objects.get(codename="run_duplication_report")
    user = UserFactory(email="someone@iisg.example")
    group = Group.objects.create(name="Ad hoc reviewers")
    with audited(support, "admin_change"):
        user.user_permissions.add(permission)
        group.permissions.add(permission)
        user.user_permissions.remove(permission)

    assert [said(e) for e in events(UserPermission, user=user, permission=permission)] == [
        ("insert", support.pk, "admin_change"),
        ("delete", support.pk, "admin_change"),
    ]
    assert [said(e) for e in events(GroupPermission, group=group)] == [("insert", support.pk, "admin_change")]


# --- Lead and Co-Lead Partners, and the object permissions that follow them -----------------------------------------


@pytest.mark.django_db
def test_changing_a_pillars_leads_records_the_lead_the_co_leads_and_the_rights(support, pillar, lead_org):
    austria = OrganisationFactory(name="Austria BMI")
    slovenia = OrganisationFactory(name="Slovenia MoI")
    pillar_leads_set(actor=support, pillar=pillar, lead_organisation=lead_org, co_lead_organisations=[austria])

    pillar_leads_set(actor=support, pillar=pillar, lead_organisation=slovenia)

    lead_changes = [e for e in events(type(pillar), pgh_obj=pillar) if e.pgh_context]
    assert (lead_changes[-1].lead_organisation_id, *said(lead_changes[-1])[1:]) == (
        slovenia.pk,
        support.pk,
        "pillar_leads_set",
    )
    assert [said(e) for e in events(PillarCoLead, pillar=pillar, organisation=austria)] == [
        ("insert", support.pk, "pillar_leads_set"),
        ("delete", support.pk, "pillar_leads_set"),
    ]
    # Rights: granted to Austria's editors' group, then taken from it and from DCAF, and granted to Slovenia's.
    rights = events(PillarGroupObjectPermission, content_object=pillar, pgh_context__isnull=False)
    by_group = {}
    for event in rights:
        by_group.setdefault(event.group_id, []).append(said(event))
    assert (
        by_group[austria.editors_group_id]
        == [("insert", support.pk, "pillar_leads_set")] * 2 + [("delete", support.pk, "pillar_leads_set")] * 2
    )
    assert by_group[lead_org.editors_group_id][-2:] == [("delete", support.pk, "pillar_leads_set")] * 2
    assert by_group[slovenia.editors_group_id] == [("insert", support.pk, "pillar_leads_set")] * 2


@pytest.mark.django_db
def test_an_object_permission_given_to_one_person_is_audited(support, pillar):
    reviewer = UserFactory(email="reviewer@iisg.example")
    with audited(support, "admin_object_permissions"):
        assign_perm("review_entries", reviewer, pillar)
        remove_perm("review_entries", reviewer, pillar)

    assert [said(e) for e in events(PillarUserObjectPermission, user=reviewer, content_object=pillar)] == [
        ("insert", support.pk, "admin_object_permissions"),
        ("delete", support.pk, "admin_object_permissions"),
    ]


# --- the links of an entry and of a meeting ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entrys_beneficiaries_and_themes_are_audited(editor, draft, entry_data):
    theme = CrossCuttingThemeFactory(name="Illegal arms trafficking")
    data = {**entry_data, "beneficiaries": ["ME", "AL"], "themes": [theme.pk]}

    activity_update(actor=editor, activity=draft, data=data, expected_version=draft.version)

    assert sorted((e.country_id, *said(e)) for e in events(ActivityBeneficiary, activity=draft)) == [
        ("AL", "insert", editor.pk, "activity_update"),
        ("ME", "insert", editor.pk, "activity_create"),
        ("RS", "delete", editor.pk, "activity_update"),
        ("RS", "insert", editor.pk, "activity_create"),
    ]
    assert [(e.crosscuttingtheme_id, *said(e)) for e in events(ActivityTheme, activity=draft)] == [
        (theme.pk, "insert", editor.pk, "activity_update")
    ]


@pytest.mark.django_db
def test_participants_and_attendees_of_a_meeting_are_audited(secretariat):
    meeting = MeetingFactory()
    dcaf, undp = OrganisationFactory(name="DCAF Ljubljana"), OrganisationFactory(name="UNDP")

    meeting_participants_set(actor=secretariat, meeting=meeting, participants=[dcaf, undp], attendees=[])
    meeting_participants_set(actor=secretariat, meeting=meeting, participants=[dcaf, undp], attendees=[dcaf])
    meeting_participants_set(actor=secretariat, meeting=meeting, participants=[dcaf], attendees=[dcaf])

    action = "meeting_participants_set"
    assert sorted((e.organisation_id, *said(e)) for e in events(MeetingParticipant, meeting=meeting)) == sorted(
        [
            (dcaf.pk, "insert", secretariat.pk, action),
            (undp.pk, "insert", secretariat.pk, action),
            (undp.pk, "delete", secretariat.pk, action),
        ]
    )
    assert [(e.organisation_id, *said(e)) for e in events(MeetingAttendee, meeting=meeting)] == [
        (dcaf.pk, "insert", secretariat.pk, action)
    ]


# --- files the portal makes: recorded, without their bytes ---------------------------------------------------------


@pytest.mark.django_db
def test_meeting_pack_files_are_recorded_without_their_bytes(secretariat):
    with audited(secretariat, "meeting_pack_build"):
        pack = MeetingPackFactory()
    pack_files = events(MeetingPackFile, pack=pack)

    assert sorted((e.format, e.size, said(e)) for e in pack_files) == [
        (fmt, len(f"{fmt} of version {pack.version}"), ("insert", secretariat.pk, "meeting_pack_build"))
        for fmt in ("docx", "pdf", "xlsx")
    ]
    assert "content" not in {f.name for f in MeetingPackFile.pgh_event_model._meta.fields}


@pytest.mark.django_db
def test_a_duplication_report_file_is_recorded_when_asked_for_and_when_it_ends(
    support, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = duplication_export_request(actor=support, fmt="xlsx", filters=FlagFilters())

    export.refresh_from_db()
    assert export.status == DuplicationExport.Status.DONE and export.content
    # The request, its claim by the worker and its end; not each step of progress, never the file.
    assert [(e.status, *said(e)) for e in events(DuplicationExport, pgh_obj=export)] == [
        ("queued", "insert", support.pk, "duplication_export_request"),
        ("running", "update", None, "duplication_export_build"),
        ("done", "update", None, "duplication_export_build"),
    ]
    assert "content" not in {f.name for f in DuplicationExport.pgh_event_model._meta.fields}


def test_no_event_table_stores_file_contents():
    from pghistory.core import event_models

    binary = [
        f"{model._meta.label}.{field.name}"
        for model in event_models()
        for field in model._meta.fields
        if isinstance(field, models.BinaryField)
    ]
    assert binary == []


# --- history is append-only for the portal ----------------------------------------------------------------------------


def _triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
            [f'"{table}"'],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_every_event_table_has_a_trigger_refusing_updates_and_deletes():
    from pghistory.core import event_models

    tables = [model._meta.db_table for model in event_models()]
    assert "partners_usergroupevent" in tables and "ipas_activityevent" in tables
    unprotected = [table for table in tables if not any("append_only" in t for t in _triggers_on(table))]
    assert unprotected == []


@pytest.mark.django_db
def test_the_portal_cannot_rewrite_or_delete_audit_events(admin_user):
    support = admin_user  # only administrators change staff roles
    officer = UserFactory(email="officer@iisg.example")
    staff_role_set(actor=support, user=officer, role=roles.SUPPORT_GROUP_STAFF)
    table = UserGroup.pgh_event_model._meta.db_table
    event = UserGroup.pgh_event_model.objects.get(user=officer)

    for sql in (f'DELETE FROM "{table}"', f'UPDATE "{table}" SET user_id = {support.pk}'):  # noqa: S608
        with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
            connection.cursor().execute(sql)
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        UserGroup.pgh_event_model.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        UserGroup.pgh_event_model.objects.filter(pk=event.pk).update(pgh_label="insert (corrected)")

    assert said(UserGroup.pgh_event_model.objects.get(pk=event.pk)) == ("insert", support.pk, "staff_role_set")


@pytest.mark.django_db
def test_who_did_it_cannot_be_deleted_either(admin_user):
    support = admin_user  # only administrators change staff roles
    staff_role_set(actor=support, user=UserFactory(email="officer@iisg.example"), role=roles.SUPPORT_GROUP_STAFF)
    context = UserGroup.pgh_event_model.objects.latest("pgh_id").pgh_context

    with pytest.raises(DatabaseError, match="Cannot delete rows"), transaction.atomic():
        AuditContext.objects.filter(pk=context.pk).delete()
    assert AuditContext.objects.get(pk=context.pk).metadata["user"] == support.pk


@pytest.mark.django_db
def test_truncate_still_empties_history_for_test_databases(admin_user):
    support = admin_user  # only administrators change staff roles
    # pytest-django empties the tables after transactional tests with TRUNCATE, which row triggers do not see.
    staff_role_set(actor=support, user=UserFactory(email="officer@iisg.example"), role=roles.SUPPORT_GROUP_STAFF)
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{UserGroup.pgh_event_model._meta.db_table}"')  # noqa: S608
    assert not UserGroup.pgh_event_model.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_history_is_still_flushed_after_a_transactional_test(admin_user):
    support = admin_user  # only administrators change staff roles
    # Committed for real: pytest-django's flush (TRUNCATE) after this test must empty the event tables, or the
    # teardown fails; and the flush before it did, or more than this one event would be found.
    staff_role_set(actor=support, user=UserFactory(email="officer@iisg.example"), role=roles.SUPPORT_GROUP_STAFF)
    assert UserGroup.pgh_event_model.objects.filter(pgh_context__metadata__action="staff_role_set").count() == 1
