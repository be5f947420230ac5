from django.urls import reverse

from pillars.models import Pillar
from tests.ipas.factories import ActivityFactory, ObjectiveFactory


def test_dashboard_counts_approved_activities_per_pillar(
    client_for, editor, other_editor, objective, other_objective, partner_org, other_org
):
    ActivityFactory.create_batch(3, objective=objective)
    ActivityFactory(objective=other_objective)
    ActivityFactory(objective=objective, organisation=other_org, approval_state="draft")  # another organisation's draft
    response = client_for(editor).get(reverse("dashboard"))
    rows = {row["pillar"].code: row for row in response.context["rows"]}
    assert rows["WBCTi"]["approved"] == 3
    assert rows["WBCSCi"]["approved"] == 1
    assert rows["WBCTi"]["activities"] == 3  # the other organisation's draft stays hidden


def test_pillar_page_shows_objectives_and_lead_partner(client_for, observer, objective, pillar):
    ObjectiveFactory(ipa=objective.ipa, code="1.1", parent=objective, title="Referral mechanisms")
    html = client_for(observer).get(reverse("pillars:pillar_detail", args=[pillar.code])).content.decode()
    assert "Referral mechanisms" in html
    assert "DCAF Ljubljana" in html


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
