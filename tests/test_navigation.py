"""Each role's navigation shows what it may do; the pages it may not open answer 403 (or login)."""

import pytest
from django.urls import reverse

from iisg_portal.context_processors import NAVIGATION

PERSONAS = ["editor", "viewer", "lead", "support", "secretariat", "observer"]


def _nav_labels(response):
    return [item["label"] for item in response.context["nav_items"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_navigation_shows_each_role_what_it_may_do(request, client_for, persona, pillar, other_pillar):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("dashboard"))
    assert response.status_code == 200
    labels = _nav_labels(response)
    assert "Dashboard" in labels
    assert ("Organisations" in labels) is user.has_perm("partners.view_organisation")
    assert ("Pillars" in labels) is user.has_perm("pillars.view_pillar")
    for label, url_name, perm in NAVIGATION:
        if perm == "lead_partner":
            allowed = persona == "lead"
        elif perm == "meeting_reader":
            allowed = persona in ("lead", "support", "secretariat")
        elif perm == "partner_member":
            allowed = persona in ("editor", "viewer", "lead")  # members of partner organisations
        else:
            allowed = perm is None or user.has_perm(perm)
        assert (label in labels) is (allowed and _has_url(url_name)), label


def _has_url(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [reverse("dashboard"), reverse("partners:organisation_list"), reverse("pillars:pillar_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["editor", "viewer", "lead", "secretariat", "observer"])
def test_only_support_group_staff_manage_organisations_and_pillar_leads(
    request, client_for, persona, pillar, partner_org
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("partners:organisation_create")).status_code == 403
    assert client.get(reverse("partners:organisation_update", args=[partner_org.pk])).status_code == 403
    assert client.post(reverse("pillars:pillar_leads_update", args=[pillar.code]), {}).status_code == 403


def test_support_group_staff_manage_organisations_and_pillar_leads(client_for, support, pillar, partner_org):
    client = client_for(support)
    assert client.get(reverse("partners:organisation_create")).status_code == 200
    assert client.get(reverse("pillars:pillar_leads_update", args=[pillar.code])).status_code == 200


def test_unknown_pillar_and_organisation_answer_404(client_for, editor):
    client = client_for(editor)
    assert client.get(reverse("pillars:pillar_detail", args=["NOPE"])).status_code == 404
    assert client.get(reverse("partners:organisation_detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_a_user_without_any_role_sees_only_the_dashboard(client_for):
    from tests.partners.factories import UserFactory

    client = client_for(UserFactory())
    assert _nav_labels(client.get(reverse("dashboard"))) == ["Dashboard"]
    assert client.get(reverse("partners:organisation_list")).status_code == 403
    assert client.get(reverse("pillars:pillar_list")).status_code == 403


def test_only_the_current_section_is_marked_active(client_for, lead, pillar):
    response = client_for(lead).get(reverse("ipas:review_queue"))
    active = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["Review queue"]


def test_the_consultation_log_belongs_to_the_duplication_section(client_for, support):
    response = client_for(support).get(reverse("ipas:consultation_list"))
    assert [item["label"] for item in response.context["nav_items"] if item["active"]] == ["Duplication"]
