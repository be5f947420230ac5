"""Support Group staff change who leads a pillar; the rights move with it."""

from django.urls import reverse

from pillars.models import Pillar


def test_changing_leads_through_the_page_moves_rights(client_for, support, pillar, lead, other_lead_org):
    response = client_for(support).post(
        reverse("pillars:pillar_leads_update", args=[pillar.code]),
        {"lead_organisation": other_lead_org.pk, "co_lead_organisations": []},
    )
    assert response.status_code == 302
    assert Pillar.objects.get(pk=pillar.pk).lead_organisation == other_lead_org
    lead = type(lead).objects.get(pk=lead.pk)
    assert not lead.has_perm("pillars.review_entries", pillar)


def test_lead_cannot_also_be_co_lead(client_for, support, pillar, lead_org):
    response = client_for(support).post(
        reverse("pillars:pillar_leads_update", args=[pillar.code]),
        {"lead_organisation": lead_org.pk, "co_lead_organisations": [lead_org.pk]},
    )
    assert response.status_code == 200
    assert "cannot also be a Co-Lead Partner" in response.content.decode()
