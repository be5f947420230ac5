"""The review queue and the review page: who may use them, approve and return through the page."""

from django.urls import reverse

from ipas.activities import services
from ipas.models import Activity


def test_review_queue_is_for_lead_partners_of_the_pillar(
    client_for, editor, lead, other_lead, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (review,) = services.activity_submit(actor=editor, activity=draft)
    assert client_for(editor).get(reverse("ipas:review_queue")).status_code == 403
    rows = client_for(lead).get(reverse("ipas:review_queue")).context["rows"]
    assert [r["review"].pk for r in rows] == [review.pk]
    assert client_for(other_lead).get(reverse("ipas:review_queue")).context["rows"] == []
    # Another pillar's Lead Partner can neither see nor decide on it.
    assert client_for(other_lead).get(reverse("ipas:review_detail", args=[review.pk])).status_code == 404
    assert (
        client_for(other_lead).post(reverse("ipas:review_detail", args=[review.pk]), {"action": "approve"}).status_code
        == 404
    )


def test_lead_partner_approves_and_returns_through_the_page(
    client_for, editor, lead, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (review,) = services.activity_submit(actor=editor, activity=draft)
    client = client_for(lead)
    page = client.post(reverse("ipas:review_detail", args=[review.pk]), {"action": "return", "comment": ""})
    assert page.status_code == 200
    assert "a comment is required" in page.content.decode()
    response = client.post(reverse("ipas:review_detail", args=[review.pk]), {"action": "approve"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=draft.pk).approval_state == "approved"
    again = client.post(reverse("ipas:review_detail", args=[review.pk]), {"action": "approve"}, follow=True)
    assert "already decided" in again.content.decode()


def test_a_viewer_member_of_the_lead_organisation_neither_sees_nor_decides_an_editor_member_does(
    client_for, editor, lead, lead_org, draft, django_capture_on_commit_callbacks
):
    from partners.services import membership_set
    from tests.partners.factories import UserFactory

    lead_viewer = UserFactory(email="viewer@dcaf.example")
    membership_set(actor=None, user=lead_viewer, organisation=lead_org, role="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        (review,) = services.activity_submit(actor=editor, activity=draft)
    page = reverse("ipas:review_detail", args=[review.pk])

    viewer_client = client_for(lead_viewer)
    dashboard = viewer_client.get(reverse("dashboard"))
    assert "Review queue" not in [item["label"] for item in dashboard.context["nav_items"]]
    assert viewer_client.get(reverse("ipas:review_queue")).status_code == 403
    assert viewer_client.get(page).status_code == 404
    assert viewer_client.post(page, {"action": "approve"}).status_code == 404
    assert Activity.objects.get(pk=draft.pk).approval_state == "submitted"

    lead_client = client_for(lead)
    dashboard = lead_client.get(reverse("dashboard"))
    assert "Review queue" in [item["label"] for item in dashboard.context["nav_items"]]
    assert [r["review"].pk for r in lead_client.get(reverse("ipas:review_queue")).context["rows"]] == [review.pk]
    assert lead_client.post(page, {"action": "approve"}).status_code == 302
    assert Activity.objects.get(pk=draft.pk).approval_state == "approved"
