"""Others only ever see published (approved) versions: no duplicate-as-new, review page, consultation note or change
history shows another organisation's unpublished text (DOMAIN.md, issue 12 item 5)."""

import pytest
from django.urls import reverse

from ipas.activities import services
from ipas.models import Activity, ActivityReview, Consultation
from ipas.review.services import activity_review_decide

PUBLISHED = "Regional training on financial investigations for prosecutors"  # entry_data's title
PRIVATE = "Private rework the owner has not submitted"


def _revise(editor, activity, data, **changes):
    activity = Activity.objects.get(pk=activity.pk)
    return services.activity_update(
        actor=editor, activity=activity, data={**data, **changes}, expected_version=activity.version
    )


def _submit_and_decide(editor, lead, activity, *, approve=True, comment=""):
    (review,) = services.activity_submit(actor=editor, activity=activity)
    activity_review_decide(actor=lead, review=review, approve=approve, comment=comment)
    return ActivityReview.objects.get(pk=review.pk)


@pytest.fixture
def published(draft, editor, lead):
    """UNDP's entry, approved by the WBCTi Lead Partner."""
    _submit_and_decide(editor, lead, draft)
    return Activity.objects.get(pk=draft.pk)


@pytest.fixture
def revised(published, editor, entry_data):
    """The approved entry with an open, unsubmitted revision renaming it."""
    _revise(editor, published, entry_data, title=PRIVATE)
    return published


# --- duplicate as new --------------------------------------------------------------------------------------------


def test_duplicate_as_new_of_another_organisations_entry_copies_its_published_version(
    client_for, revised, editor, other_editor
):
    url = reverse("ipas:activity_duplicate", args=[revised.pk])
    theirs = client_for(other_editor).get(url)
    assert theirs.context["form"].initial["title"] == f"Copy of {PUBLISHED}"
    assert PRIVATE not in theirs.content.decode()
    # The owner's editors copy what they are working on.
    assert client_for(editor).get(url).context["form"].initial["title"] == f"Copy of {PRIVATE}"


def test_a_lead_partner_cannot_duplicate_an_entry_submitted_to_them(client_for, draft, editor, lead):
    services.activity_submit(actor=editor, activity=draft)
    client = client_for(lead)
    detail = client.get(reverse("ipas:activity_detail", args=[draft.pk]))
    assert detail.status_code == 200  # they review it, so they read it
    assert reverse("ipas:activity_duplicate", args=[draft.pk]) not in detail.content.decode()
    response = client.get(reverse("ipas:activity_duplicate", args=[draft.pk]))
    assert response.status_code == 403 and PUBLISHED not in response.content.decode()


# --- review pages ------------------------------------------------------------------------------------------------


def test_submission_keeps_what_was_submitted_on_each_review(published, editor, entry_data):
    (first,) = ActivityReview.objects.filter(activity=published)
    assert first.submitted_data["title"] == PUBLISHED and first.approved_data is None
    _revise(editor, published, entry_data, title="Second edition")
    (second,) = services.activity_submit(actor=editor, activity=Activity.objects.get(pk=published.pk))
    assert second.submitted_data["title"] == "Second edition"
    assert second.approved_data == services.activity_snapshot(published)


def test_a_returned_review_shows_what_was_submitted_not_the_owners_rework(client_for, draft, editor, lead, entry_data):
    review = _submit_and_decide(editor, lead, draft, approve=False, comment="Name the beneficiary institutions.")
    _revise(editor, draft, entry_data, title=PRIVATE, description="Not for the Lead Partner yet.")
    html = client_for(lead).get(reverse("ipas:review_detail", args=[review.pk])).content.decode()
    assert PUBLISHED in html and "Five-day course" in html
    assert PRIVATE not in html and "Not for the Lead Partner yet." not in html


def test_a_returned_revision_review_shows_the_revision_as_submitted(client_for, published, editor, lead, entry_data):
    _revise(editor, published, entry_data, title="Second edition, as submitted")
    review = _submit_and_decide(editor, lead, published, approve=False, comment="Too vague.")
    _revise(editor, published, entry_data, title=PRIVATE)
    page = client_for(lead).get(reverse("ipas:review_detail", args=[review.pk]))
    html = page.content.decode()
    assert "Second edition, as submitted" in html and PRIVATE not in html
    assert [(c["before"], c["after"]) for c in page.context["diff"] if c["field"] == "title"] == [
        (PUBLISHED, "Second edition, as submitted")
    ]


def test_a_decided_review_recorded_before_submissions_were_kept_shows_no_live_draft(
    client_for, draft, editor, lead, entry_data
):
    review = _submit_and_decide(editor, lead, draft, approve=False, comment="Too vague.")
    ActivityReview.objects.filter(pk=review.pk).update(submitted_data=None)
    _revise(editor, draft, entry_data, title=PRIVATE)
    page = client_for(lead).get(reverse("ipas:review_detail", args=[review.pk]))
    html = page.content.decode()
    assert 'data-testid="not-kept"' in html and PRIVATE not in html
    assert f"Entry {draft.pk} of UNDP" in html


# --- consultation notes ------------------------------------------------------------------------------------------


def test_a_consultation_says_now_titled_only_when_the_viewer_may_see_that_version(
    client_for, draft, editor, lead, support, entry_data
):
    services.activity_submit(actor=editor, activity=draft)
    # The Lead Partner consulted while the entry was submitted to them, so it was shown to them.
    consultation = Consultation.objects.create(
        user=lead,
        title="Financial investigations course",
        results=[
            {"activity": draft.pk, "score": 0.8, "reasons": [], "title": PUBLISHED, "organisation": "UNDP"},
            {"activity": draft.pk, "score": 0.8, "reasons": []},  # recorded before titles were kept
        ],
    )
    review = ActivityReview.objects.get(activity=draft)
    activity_review_decide(actor=lead, review=review, approve=False, comment="Say who attends.")
    _revise(editor, draft, entry_data, title=PRIVATE)
    url = reverse("ipas:consultation_detail", args=[consultation.pk])
    html = client_for(lead).get(url).content.decode()
    assert PRIVATE not in html and "Now titled" not in html
    assert f"(activity {draft.pk}, no longer visible to you)" in html
    # The Support Group sees every draft, and so the rename.
    assert f"Now titled “{PRIVATE}”." in client_for(support).get(url).content.decode()


# --- change history ----------------------------------------------------------------------------------------------


@pytest.fixture
def twice_published(editor, lead, partner_org, entry_data, donor):
    """Drafted under a working title, approved, then changed by an approved revision (title and funding)."""
    activity = services.activity_create(
        actor=editor, organisation=partner_org, data={**entry_data, "title": "Working title, never published"}
    )
    _revise(editor, activity, entry_data, description="A draft description, never published.")
    _revise(editor, activity, entry_data)
    _submit_and_decide(editor, lead, Activity.objects.get(pk=activity.pk))
    funding = {**entry_data["fundings"][0], "amount": "130000.00", "amount_eur": "130000.00"}
    _revise(editor, activity, entry_data, title="Second edition", fundings=[funding])
    _submit_and_decide(editor, lead, Activity.objects.get(pk=activity.pk))
    _revise(editor, activity, entry_data, title=PRIVATE)  # a third version, not submitted
    return Activity.objects.get(pk=activity.pk)


@pytest.mark.parametrize("persona", ["other_editor", "viewer", "observer", "other_lead", "secretariat"])
def test_others_read_only_the_published_versions_in_the_change_history(request, client_for, twice_published, persona):
    page = client_for(request.getfixturevalue(persona)).get(reverse("ipas:activity_detail", args=[twice_published.pk]))
    history = [[(c["label"], c["before"], c["after"]) for c in entry["changes"]] for entry in page.context["history"]]
    assert history == [
        [
            ("Title", PUBLISHED, "Second edition"),
            (
                "Funding lines",
                "European Commission – DG NEAR 120,000.00 EUR (committed)",
                "European Commission – DG NEAR 130,000.00 EUR (committed)",
            ),
        ],
        [("Published", "", PUBLISHED)],
    ]
    html = page.content.decode()
    assert "never published" not in html and PRIVATE not in html


@pytest.mark.parametrize("persona", ["editor", "lead", "support"])
def test_the_owner_the_pillars_lead_partners_and_the_support_group_read_every_version(
    request, client_for, twice_published, persona
):
    page = client_for(request.getfixturevalue(persona)).get(reverse("ipas:activity_detail", args=[twice_published.pk]))
    labels = [c["label"] for entry in page.context["history"] for c in entry["changes"]]
    assert labels[-1] == "Created" and "Approval state" in labels
    assert "Working title, never published" in page.content.decode()
