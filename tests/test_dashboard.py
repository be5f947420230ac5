"""The home page: what the portal holds per pillar, as far as this user may see."""

from django.urls import reverse

from tests.ipas.factories import ActivityFactory


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
