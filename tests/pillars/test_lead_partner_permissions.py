import pytest
from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm, get_perms

from partners.models import Membership, User
from partners.services import membership_set
from pillars.selectors import led_pillar_ids, pillars_led_by, user_leads_pillar
from pillars.services import pillar_leads_set
from tests.partners.factories import OrganisationFactory, UserFactory


def test_lead_partner_members_may_review_their_pillar_only(lead, pillar, other_pillar):
    assert lead.has_perm("pillars.review_entries", pillar)
    assert lead.has_perm("pillars.manage_ipas", pillar)
    assert not lead.has_perm("pillars.review_entries", other_pillar)
    assert list(pillars_led_by(lead)) == [pillar]


def test_granting_and_revoking_the_lead_role_moves_the_object_permissions(pillar, lead_org, lead):
    new_lead = OrganisationFactory(name="Austria – Federal Ministry of the Interior")
    new_member = UserFactory()
    membership_set(actor=None, user=new_member, organisation=new_lead, role=Membership.Role.EDITOR)
    assert not new_member.has_perm("pillars.review_entries", pillar)

    pillar_leads_set(actor=None, pillar=pillar, lead_organisation=lead_org, co_lead_organisations=[new_lead])
    new_member = type(new_member).objects.get(pk=new_member.pk)  # fresh permission cache
    assert new_member.has_perm("pillars.review_entries", pillar)

    pillar_leads_set(actor=None, pillar=pillar, lead_organisation=new_lead, co_lead_organisations=[])
    lead = type(lead).objects.get(pk=lead.pk)
    assert not lead.has_perm("pillars.review_entries", pillar)
    assert sorted(get_perms(new_lead.editors_group, pillar)) == ["manage_ipas", "review_entries"]
    assert get_perms(new_lead.group, pillar) == []  # the members' group, viewers included, holds none
    assert get_perms(lead_org.editors_group, pillar) == []


def test_a_global_permission_does_not_make_anyone_a_lead_partner(support, pillar):
    # Support Group staff see everything, but approving entries is the Lead Partners' right.
    assert support.has_perm("ipas.view_all_activities")
    assert list(pillars_led_by(support)) == []
    assert not support.has_perm("pillars.review_entries", pillar)


def test_led_pillar_ids_agree_with_guardian(lead, other_lead, support, pillar, other_pillar):
    from pillars.selectors import led_pillar_ids

    for user in (lead, other_lead, support):
        fresh = type(user).objects.get(pk=user.pk)
        assert led_pillar_ids(fresh) == set(pillars_led_by(fresh).values_list("pk", flat=True))
    assert led_pillar_ids(type(lead).objects.get(pk=lead.pk)) == {pillar.pk}


@pytest.fixture
def lead_viewer(pillar, lead_org):
    """A viewer member of the pillar's Lead Partner organisation."""
    user = UserFactory(email="viewer@dcaf.example")
    membership_set(actor=None, user=user, organisation=lead_org, role=Membership.Role.VIEWER)
    return user


def test_a_viewer_member_of_the_lead_organisation_holds_no_lead_partner_right(lead_viewer, lead, pillar):
    assert led_pillar_ids(lead_viewer) == frozenset()
    assert list(pillars_led_by(lead_viewer)) == []
    assert list(pillars_led_by(lead_viewer, perm="pillars.manage_ipas")) == []
    assert not user_leads_pillar(lead_viewer, pillar)
    assert not lead_viewer.has_perm("pillars.review_entries", pillar)
    assert not lead_viewer.has_perm("pillars.manage_ipas", pillar)
    # It reads as any partner viewer does; its editor colleague leads.
    assert lead_viewer.has_perm("ipas.view_activity") and not lead_viewer.has_perm("ipas.add_activity")
    assert led_pillar_ids(lead) == {pillar.pk}


def test_lead_partner_rights_follow_the_editor_role_at_once(lead_viewer, lead_org, pillar):
    membership_set(actor=None, user=lead_viewer, organisation=lead_org, role=Membership.Role.EDITOR)
    assert led_pillar_ids(lead_viewer) == {pillar.pk}
    assert lead_viewer.has_perm("pillars.manage_ipas", pillar)

    membership_set(actor=None, user=lead_viewer, organisation=lead_org, role=Membership.Role.VIEWER)
    # The same object, as within one request: nothing cached outlives the change.
    assert led_pillar_ids(lead_viewer) == frozenset()
    assert not user_leads_pillar(lead_viewer, pillar)
    assert not lead_viewer.groups.filter(pk=lead_org.editors_group_id).exists()
    assert lead_viewer.groups.filter(pk=lead_org.group_id).exists()


def test_a_permission_granted_to_a_person_directly_makes_no_lead_partner(support, pillar):
    assign_perm("review_entries", support, pillar)  # what guardian's admin pages for pillars used to allow
    fresh = User.objects.get(pk=support.pk)
    assert fresh.has_perm("pillars.review_entries", pillar)  # guardian alone would say yes
    assert led_pillar_ids(fresh) == frozenset()
    assert list(pillars_led_by(fresh)) == []
    assert not user_leads_pillar(fresh, pillar)


def test_neither_a_global_permission_nor_superuser_status_makes_a_lead_partner(support, pillar):
    support.user_permissions.add(Permission.objects.get(codename="review_entries", content_type__app_label="pillars"))
    superuser = User.objects.create_superuser(email="root@iisg.example", password="x-long-admin-pass-1")
    for user in (User.objects.get(pk=support.pk), superuser):
        assert user.has_perm("pillars.review_entries")
        assert led_pillar_ids(user) == frozenset()
        assert not user_leads_pillar(user, pillar)


def test_a_group_joined_by_hand_makes_no_lead_partner_without_the_editor_membership(support, lead_org, pillar):
    support.groups.add(lead_org.editors_group)
    assert not user_leads_pillar(support, pillar)
    assert led_pillar_ids(User.objects.get(pk=support.pk)) == frozenset()
