"""Issue 12's data migrations (partners 0004, pillars 0002), run backwards and forwards on the test database:
Lead Partner rights move from the lead organisations' members' groups to their editors' groups."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from guardian.shortcuts import get_perms

from partners import roles
from partners.models import Membership, User
from partners.services import membership_set
from pillars.models import PillarGroupObjectPermission, PillarUserObjectPermission
from pillars.selectors import led_pillar_ids
from tests.partners.factories import UserFactory

BEFORE = [("partners", "0002_api_keys"), ("pillars", "0001_initial")]


def _migrate(target=None):
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.fixture
def back_to_the_latest_migration():
    yield
    _migrate()  # whatever the test left, later tests need the schema


@pytest.mark.django_db(transaction=True)
def test_lead_partner_rights_move_to_the_editors_groups(pillar, lead, lead_org, support, back_to_the_latest_migration):
    lead_viewer = UserFactory(email="viewer@dcaf.example")
    membership_set(actor=None, user=lead_viewer, organisation=lead_org, role=Membership.Role.VIEWER)

    old_apps = _migrate(BEFORE)
    Group = old_apps.get_model("auth", "Group")
    Permission = old_apps.get_model("auth", "Permission")
    GroupRight = old_apps.get_model("pillars", "PillarGroupObjectPermission")
    # Before: the rights sat on the members' group, viewers included; there was no editors' group.
    assert set(GroupRight.objects.values_list("group_id", "permission__codename")) == {
        (lead_org.group_id, "review_entries"),
        (lead_org.group_id, "manage_ipas"),
    }
    assert not Group.objects.filter(name__regex=r"^Organisation [0-9]+ editors$").exists()
    # And what guardian's admin pages could add, unaudited: a right of a person, a right of a role group.
    review = Permission.objects.get(codename="review_entries", content_type__app_label="pillars")
    old_apps.get_model("pillars", "PillarUserObjectPermission").objects.create(
        user_id=support.pk, permission=review, content_object_id=pillar.pk
    )
    GroupRight.objects.create(
        group=Group.objects.get(name=roles.SUPPORT_GROUP_STAFF), permission=review, content_object_id=pillar.pk
    )

    _migrate()
    lead_org.refresh_from_db()
    assert lead_org.editors_group.name == f"Organisation {lead_org.pk} editors"
    assert list(lead_org.editors_group.user_set.all()) == [lead]
    assert sorted(get_perms(lead_org.editors_group, pillar)) == ["manage_ipas", "review_entries"]
    assert get_perms(lead_org.group, pillar) == []
    assert set(PillarGroupObjectPermission.objects.values_list("group_id", flat=True)) == {lead_org.editors_group_id}
    assert not PillarUserObjectPermission.objects.exists()
    assert led_pillar_ids(User.objects.get(pk=lead.pk)) == {pillar.pk}
    assert led_pillar_ids(User.objects.get(pk=lead_viewer.pk)) == frozenset()
    assert led_pillar_ids(User.objects.get(pk=support.pk)) == frozenset()
