"""The pillar pages: each pillar with its iPAs and objectives."""

from django.urls import reverse

from tests.ipas.factories import ObjectiveFactory


def test_pillar_page_shows_objectives_and_lead_partner(client_for, observer, objective, pillar):
    ObjectiveFactory(ipa=objective.ipa, code="1.1", parent=objective, title="Referral mechanisms")
    html = client_for(observer).get(reverse("pillars:pillar_detail", args=[pillar.code])).content.decode()
    assert "Referral mechanisms" in html
    assert "DCAF Ljubljana" in html
