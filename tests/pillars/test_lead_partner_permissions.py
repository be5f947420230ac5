from guardian.shortcuts import get_perms

from partners.models import Membership
from partners.services import membership_set
from pillars.selectors import pillars_led_by
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
    assert sorted(get_perms(new_lead.group, pillar)) == ["manage_ipas", "review_entries"]
    assert get_perms(lead_org.group, pillar) == []


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
