import pytest
from django.contrib.auth.models import Group

from partners import roles
from partners.models import Membership
from partners.services import membership_remove, membership_set, roles_ensure


def test_every_role_is_a_group_with_exactly_its_permissions(db):
    roles_ensure()
    for name, perms in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(perms), name


def test_editor_membership_grants_editor_role_and_organisation_group(editor, partner_org):
    assert editor.groups.filter(name=roles.PARTNER_EDITORS).exists()
    assert editor.groups.filter(pk=partner_org.group_id).exists()
    assert editor.has_perm("ipas.add_activity")


def test_viewer_cannot_log_activities(viewer):
    assert viewer.has_perm("ipas.view_activity")
    assert not viewer.has_perm("ipas.add_activity")


def test_observer_organisation_members_are_observers_whatever_their_role(observer_org):
    from tests.partners.factories import UserFactory

    user = UserFactory()
    membership_set(actor=None, user=user, organisation=observer_org, role=Membership.Role.EDITOR)
    role_groups = user.groups.filter(organisation__isnull=True, editors_of_organisation__isnull=True)
    assert list(role_groups.values_list("name", flat=True)) == [roles.OBSERVERS]
    assert not user.has_perm("ipas.add_activity")


def test_removing_the_membership_removes_the_groups(editor, partner_org):
    membership_remove(actor=None, membership=editor.memberships.get())
    assert not editor.groups.exists()


def test_board_members_are_a_staff_role_partner_roles_are_not(db):
    from partners.services import staff_role_set
    from tests.partners.factories import UserFactory

    minister = UserFactory()
    staff_role_set(actor=None, user=minister, role=roles.BOARD_MEMBERS)
    assert minister.has_perm("board.download_meeting_pack")
    staff_role_set(actor=None, user=minister, role=roles.BOARD_MEMBERS, member=False)
    assert not minister.has_perm("board.download_meeting_pack")  # at once, on the same object
    with pytest.raises(ValueError):
        staff_role_set(actor=None, user=minister, role=roles.PARTNER_EDITORS)


def test_only_those_who_may_change_memberships_and_roles_do(editor, support, partner_org, viewer):
    from iisg_portal.errors import PortalError
    from partners.services import staff_role_set

    with pytest.raises(PortalError):
        membership_set(actor=editor, user=viewer, organisation=partner_org, role=Membership.Role.EDITOR)
    with pytest.raises(PortalError):
        membership_remove(actor=editor, membership=viewer.memberships.get())
    with pytest.raises(PortalError):
        staff_role_set(actor=support, user=editor, role=roles.SUPPORT_GROUP_STAFF)
    assert viewer.memberships.get().role == Membership.Role.VIEWER
    # Support Group staff manage memberships (they may not end them: only an administrator does).
    membership_set(actor=support, user=viewer, organisation=partner_org, role=Membership.Role.EDITOR)
    assert viewer.has_perm("ipas.add_activity")
