"""The admin changes memberships and roles through partners.services only: rights follow at once, on record."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from iisg_portal.errors import PortalError
from ipas.activities.services import activity_create, activity_submit
from ipas.review.services import activity_review_decide
from partners import roles
from partners.models import Membership, Organisation, User
from partners.services import membership_set
from pillars.selectors import led_pillar_ids, user_leads_pillar
from tests.partners.factories import UserFactory


@pytest.fixture
def admin(db):
    return User.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


@pytest.fixture
def lead_org_entry(lead_org, entry_data, django_capture_on_commit_callbacks):
    """An entry of the Lead Partner organisation itself, waiting for a decision in its pillar."""
    colleague = UserFactory(email="colleague@dcaf.example")
    membership_set(actor=None, user=colleague, organisation=lead_org, role=Membership.Role.EDITOR)
    activity = activity_create(actor=colleague, organisation=lead_org, data=entry_data)
    with django_capture_on_commit_callbacks(execute=True):
        (review,) = activity_submit(actor=colleague, activity=activity)
    return review


def _assert_no_lead_rights(user, pillar, organisation, review):
    user = User.objects.get(pk=user.pk)  # as the next request reads them
    with pytest.raises(PortalError, match="Only the Lead Partners"):
        activity_review_decide(actor=user, review=review, approve=True)
    assert led_pillar_ids(user) == frozenset()
    assert not user.has_perm("pillars.review_entries", pillar)
    assert not user_leads_pillar(user, pillar)
    assert not user.groups.filter(pk__in=[organisation.group_id, organisation.editors_group_id]).exists()


def _membership_events(pk, label):
    return Membership.pgh_event_model.objects.filter(pgh_obj_id=pk, pgh_label=label)


def test_moving_a_lead_partners_membership_in_the_admin_ends_its_lead_rights(
    admin_client, admin, lead, lead_org, partner_org, pillar, lead_org_entry
):
    membership = lead.memberships.get()
    response = admin_client.post(
        reverse("admin:partners_membership_change", args=[membership.pk]),
        {"user": lead.pk, "organisation": partner_org.pk, "role": "editor", "_save": "Save"},
    )
    assert response.status_code == 302
    assert list(lead.memberships.values_list("organisation_id", "role")) == [(partner_org.pk, "editor")]
    # Not a member of DCAF any more, so its "own organisation" rule no longer stood in the way: still refused.
    _assert_no_lead_rights(lead, pillar, lead_org, lead_org_entry)
    assert User.objects.get(pk=lead.pk).groups.filter(pk=partner_org.editors_group_id).exists()
    ended = _membership_events(membership.pk, "delete").get()
    assert ended.pgh_context.metadata["user"] == admin.pk
    assert ended.pgh_context.metadata["action"] == "membership_set"


def test_a_role_changed_to_viewer_in_the_admin_ends_the_lead_rights(
    admin_client, admin, lead, lead_org, pillar, lead_org_entry
):
    membership = lead.memberships.get()
    response = admin_client.post(
        reverse("admin:partners_membership_change", args=[membership.pk]),
        {"user": lead.pk, "organisation": lead_org.pk, "role": "viewer", "_save": "Save"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == "viewer"
    user = User.objects.get(pk=lead.pk)
    assert user.groups.filter(pk=lead_org.group_id).exists()  # still a member, who reads
    assert not user.groups.filter(pk=lead_org.editors_group_id).exists()
    assert led_pillar_ids(user) == frozenset()
    event = _membership_events(membership.pk, "update").latest("pgh_id")
    assert (event.role, event.pgh_context.metadata["user"]) == ("viewer", admin.pk)


def test_deleting_a_membership_in_the_admin_ends_its_rights(
    admin_client, admin, lead, lead_org, pillar, lead_org_entry
):
    membership = lead.memberships.get()
    response = admin_client.post(reverse("admin:partners_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    _assert_no_lead_rights(lead, pillar, lead_org, lead_org_entry)
    assert not User.objects.get(pk=lead.pk).groups.filter(name=roles.PARTNER_EDITORS).exists()
    ended = _membership_events(membership.pk, "delete").get()
    assert ended.pgh_context.metadata == {**ended.pgh_context.metadata, "user": admin.pk, "action": "membership_remove"}


def test_deleting_memberships_from_the_list_ends_their_rights(
    admin_client, admin, lead, editor, lead_org, pillar, lead_org_entry
):
    memberships = [lead.memberships.get(), editor.memberships.get()]
    response = admin_client.post(
        reverse("admin:partners_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=[m.pk for m in memberships]).exists()
    _assert_no_lead_rights(lead, pillar, lead_org, lead_org_entry)
    assert not User.objects.get(pk=editor.pk).groups.exists()
    for membership in memberships:
        assert _membership_events(membership.pk, "delete").get().pgh_context.metadata["user"] == admin.pk


def _user_page(user, memberships, **fields):
    """What the admin's page for `user` posts: its fields, and one inline row per membership (a dict)."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for row in memberships if row.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Save",
        **fields,
    }
    for i, row in enumerate(memberships):
        data.update({f"memberships-{i}-{name}": value for name, value in {"user": user.pk, **row}.items()})
    return data


def test_the_users_page_changes_memberships_and_roles_through_the_services(
    admin_client, admin, lead, lead_org, partner_org, other_org, pillar, lead_org_entry
):
    membership = lead.memberships.get()
    support_group = Group.objects.get_or_create(name=roles.SUPPORT_GROUP_STAFF)[0]
    page = reverse("admin:partners_user_change", args=[lead.pk])
    assert admin_client.get(page).status_code == 200
    data = _user_page(
        lead,
        [
            {"id": membership.pk, "organisation": partner_org.pk, "role": "editor"},
            {"id": "", "organisation": other_org.pk, "role": "viewer"},
        ],
        staff_roles=[roles.BOARD_MEMBERS],
        groups=[support_group.pk, lead_org.editors_group_id],  # not a field: groups are derived
    )
    response = admin_client.post(page, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(pk=lead.pk)
    assert set(user.memberships.values_list("organisation_id", "role")) == {
        (partner_org.pk, "editor"),
        (other_org.pk, "viewer"),
    }
    assert set(user.groups.values_list("name", flat=True)) == {
        roles.PARTNER_EDITORS,
        roles.PARTNER_VIEWERS,
        roles.BOARD_MEMBERS,
        partner_org.group.name,
        partner_org.editors_group.name,
        other_org.group.name,
    }
    _assert_no_lead_rights(lead, pillar, lead_org, lead_org_entry)
    assert _membership_events(membership.pk, "delete").get().pgh_context.metadata["user"] == admin.pk
    added = Membership.objects.get(user=lead, organisation=other_org)
    assert _membership_events(added.pk, "insert").get().pgh_context.metadata["user"] == admin.pk

    # Ending a membership and a role on the same page.
    added_row = {"id": added.pk, "organisation": other_org.pk, "role": "viewer", "DELETE": "on"}
    kept = Membership.objects.get(user=lead, organisation=partner_org)
    kept_row = {"id": kept.pk, "organisation": partner_org.pk, "role": "editor"}
    response = admin_client.post(page, _user_page(lead, [kept_row, added_row], staff_roles=[]))
    assert response.status_code == 302
    assert list(user.memberships.values_list("organisation_id", flat=True)) == [partner_org.pk]
    assert not user.groups.filter(name__in=[roles.BOARD_MEMBERS, roles.PARTNER_VIEWERS, other_org.group.name]).exists()
    # One request is one audit context (pghistory): it names the administrator, and its action is the page's last
    # service (here the staff role taken away), so the ended membership's event is checked for who did it.
    ended = _membership_events(added.pk, "delete").get().pgh_context.metadata
    assert (ended["user"], ended["action"]) in {(admin.pk, "membership_remove"), (admin.pk, "staff_role_set")}


def test_staff_roles_are_ticked_on_the_users_page(admin_client, support, secretariat):
    page = reverse("admin:partners_user_change", args=[support.pk])
    form = admin_client.get(page).context["adminform"].form
    assert form["staff_roles"].initial == [roles.SUPPORT_GROUP_STAFF]
    response = admin_client.post(page, _user_page(support, [], staff_roles=[roles.BOARD_SECRETARIAT]))
    assert response.status_code == 302
    assert list(User.objects.get(pk=support.pk).groups.values_list("name", flat=True)) == [roles.BOARD_SECRETARIAT]
    assert not User.objects.get(pk=support.pk).has_perm("ipas.run_duplication_report")


def test_an_organisation_made_observer_in_the_admin_makes_its_members_observers(admin_client, editor, partner_org):
    response = admin_client.post(
        reverse("admin:partners_organisation_change", args=[partner_org.pk]),
        {
            "name": partner_org.name,
            "short_name": partner_org.short_name,
            "type": partner_org.type,
            "participation": Organisation.Participation.OBSERVER,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=editor.pk)
    assert user.groups.filter(name=roles.OBSERVERS).exists()
    assert not user.has_perm("ipas.add_activity")


def test_an_organisation_added_in_the_admin_gets_its_groups(admin_client, admin):
    response = admin_client.post(
        reverse("admin:partners_organisation_add"),
        {"name": "Slovenia – Ministry of the Interior", "type": "national_authority", "participation": "partner"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Slovenia – Ministry of the Interior")
    assert organisation.group and organisation.editors_group
    event = Organisation.pgh_event_model.objects.filter(pgh_obj=organisation, pgh_label="insert").get()
    assert event.pgh_context.metadata["action"] == "organisation_create"
