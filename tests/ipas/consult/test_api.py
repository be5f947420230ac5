"""POST /api/consult/: consult before planning through the API, with the page's rules and record."""

from datetime import date

import pytest
from django.urls import reverse

from iisg_portal.errors import PortalError
from ipas.activities.services import activity_create
from ipas.duplication import engine
from ipas.models import Activity, Consultation
from tests.ipas.consult_concepts import TEXT, URL, concept  # noqa: E402
from tests.ipas.factories import ActivityFactory, FundingFactory


def post(client, data):
    return client.post(URL, data, content_type="application/json")


@pytest.fixture
def approved(other_org, objective, countries, donor):
    activity = ActivityFactory(**TEXT, organisation=other_org, countries=["RS"], objective=objective)
    FundingFactory(activity=activity, donor=donor)
    return activity


@pytest.fixture
def others_draft(other_editor, other_org, entry_data):
    """Another organisation's draft with the very same text: only its own editors may see it."""
    data = {**entry_data, **TEXT, "implementing_organisation": other_org.pk}
    activity = activity_create(actor=other_editor, organisation=other_org, data=data)
    assert activity.approval_state == Activity.ApprovalState.DRAFT
    return activity


def test_the_url_is_the_documented_one():
    assert reverse("api:consult") == URL


def test_anonymous_callers_are_rejected(client_for, pillar, countries):
    response = post(client_for(None), concept())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Consultation.objects.exists()


def test_a_user_without_the_consult_permission_gets_403(client_for, observer, pillar, countries):
    response = post(client_for(observer), concept())
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def test_support_staff_do_not_consult(client_for, support, pillar, countries):
    assert post(client_for(support), concept()).status_code == 403


def test_get_is_not_allowed(client_for, editor):
    assert client_for(editor).get(URL).status_code == 405


def test_editor_gets_the_closest_visible_activities_and_the_consultation_is_recorded(
    client_for, editor, approved, others_draft, objective, pillar, donor
):
    ActivityFactory(title="Thermal cameras for the green border", countries=["ME"])
    response = post(client_for(editor), concept(intended_donor=donor.pk))
    assert response.status_code == 200
    body = response.json()
    shown = [match["activity"]["id"] for match in body["matches"]]
    assert shown[0] == approved.pk
    assert others_draft.pk not in shown  # another organisation's draft never shows
    first = body["matches"][0]
    assert first["activity"]["organisation"] == "IOM"
    assert first["activity"]["start"] == "2025-01-01"
    assert 0 < first["score"] <= 1
    expected = "flagged" if first["score"] >= 0.62 else "worth a look" if first["score"] >= 0.4 else "distant"
    assert first["closeness"] == expected
    assert "same beneficiary RS" in first["reasons"]
    assert any(reason.startswith("already funded by the same donor") for reason in first["reasons"])
    assert [o["id"] for o in body["objectives"]][:1] == [objective.pk]
    assert body["objectives"][0]["label"].startswith("WBCTi 1")

    consultation = Consultation.objects.get()
    assert body["consultation"] == consultation.pk
    assert consultation.user == editor
    assert consultation.title == "Training on asset recovery and financial investigations"
    assert consultation.beneficiaries == ["RS"]
    assert consultation.pillar == pillar
    assert consultation.intended_donor == donor
    assert consultation.start == date(2025, 3, 1)
    assert consultation.end == date(2025, 10, 31)
    assert [r["activity"] for r in consultation.results] == shown
    assert consultation.objectives[0]["objective"] == objective.pk


def test_an_organisations_own_draft_shows_to_its_editors_only(client_for, editor, other_editor, others_draft):
    def shown(user):
        response = post(client_for(user), concept())
        assert response.status_code == 200
        return [match["activity"]["id"] for match in response.json()["matches"]]

    assert others_draft.pk in shown(other_editor)
    assert others_draft.pk not in shown(editor)


def test_the_api_and_the_page_answer_alike(client_for, viewer, approved, pillar):
    api = post(client_for(viewer), concept()).json()
    page = client_for(viewer).post(reverse("ipas:consult"), {**concept(), "pillar": pillar.pk, "beneficiaries": ["RS"]})
    assert page.status_code == 200
    assert [m["activity"]["id"] for m in api["matches"]] == [m.activity_id for m in page.context["matches"]]
    assert [m["reasons"] for m in api["matches"]] == [m.reasons for m in page.context["matches"]]
    assert Consultation.objects.count() == 2


def test_only_a_title_is_needed(client_for, editor, approved):
    response = post(client_for(editor), {"title": "Asset recovery training"})
    assert response.status_code == 200
    consultation = Consultation.objects.get()
    assert consultation.pillar is None and consultation.start is None and consultation.beneficiaries == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "2025-10-01", "end": "2025-03-01"}, "end"),
        ({"beneficiaries": ["RS", "FR"]}, "beneficiaries"),
        ({"pillar": "NOPE"}, "pillar"),
        ({"title": ""}, "title"),
        ({"start": "soon"}, "start"),
        ({"intended_donor": 999999}, "intended_donor"),
    ],
)
def test_bad_input_answers_400_with_field_messages(client_for, editor, pillar, countries, changes, field):
    response = post(client_for(editor), concept(**changes))
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert errors[field]
    assert not Consultation.objects.exists()


def test_the_unknown_country_is_named(client_for, editor, pillar, countries):
    response = post(client_for(editor), concept(beneficiaries=["rs", "FR"]))
    assert response.json() == {"beneficiaries": ["Unknown beneficiary: FR."]}


def test_a_pillar_created_a_moment_ago_is_known(client_for, editor, pillar, countries):
    from tests.pillars.factories import PillarFactory

    assert post(client_for(editor), concept()).status_code == 200  # the pillar list is now cached
    PillarFactory(code="WBBSi", name="Western Balkan Border Security initiative", order=3)
    assert post(client_for(editor), concept(pillar="WBBSi")).status_code == 200


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            PortalError("Consultations are paused for maintenance."),
            409,
            {"detail": "Consultations are paused for maintenance."},
        ),
        (PortalError("Too long.", field="title"), 400, {"title": ["Too long."]}),
    ],
)
def test_a_portal_rule_answers_with_its_message(
    client_for, editor, pillar, countries, monkeypatch, error, status, body
):
    def refuse(**kwargs):
        raise error

    monkeypatch.setattr("ipas.consult.api.consultation_make", refuse)
    response = post(client_for(editor), concept())
    assert response.status_code == status
    assert response.json() == body


def test_the_schema_documents_the_consult_endpoint(client_for, editor):
    response = client_for(editor).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/consult/" in schema["paths"]
    operation = schema["paths"]["/api/consult/"]["post"]
    assert operation["operationId"] == "consult"
    assert "Concept" in schema["components"]["schemas"]


def test_the_docs_page_answers_without_inline_script(client_for, editor):
    client = client_for(editor)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui-bundle.js" in response.content
    assert b"<script>" not in response.content  # the CSP allows same-origin script files only
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert b"/api/schema/" in script.content


def test_an_activity_logged_after_a_consultation_shows_in_the_next(client_for, editor, approved, other_org, countries):
    client = client_for(editor)
    assert post(client, concept()).status_code == 200  # the process's index is built now
    newer = ActivityFactory(
        title="Asset recovery and financial investigations training for prosecutors",
        description="Tracing criminal assets with prosecutors and the Financial Intelligence Unit in Belgrade.",
        organisation=other_org,
        countries=["RS"],
    )
    shown = [match["activity"]["id"] for match in post(client, concept()).json()["matches"]]
    assert newer.pk in shown


def test_a_consultation_reads_the_database_a_few_times_only(
    client_for, editor, approved, pillar, django_assert_max_num_queries
):
    client = client_for(editor)
    assert post(client, concept()).status_code == 200  # index built, reference lists cached
    # Session, user, permissions (2), the user's organisations and led pillars, the data version, the
    # visible rows, the record (savepoint, SET LOCAL, insert, release here: its own transaction in
    # production) and the session's renewal (savepoint, update, release).
    with django_assert_max_num_queries(14):
        assert post(client, concept()).status_code == 200


def test_an_activity_filed_under_another_pillar_ranks_lower_and_says_so(
    client_for, editor, other_org, objective, other_objective, pillar, countries
):
    same = ActivityFactory(**TEXT, organisation=other_org, countries=["RS"], objective=objective)
    other = ActivityFactory(**TEXT, organisation=other_org, countries=["RS"], objective=other_objective)
    matches = {m["activity"]["id"]: m for m in post(client_for(editor), concept()).json()["matches"]}
    assert "same pillar" in matches[same.pk]["reasons"]
    assert "filed under another pillar" in matches[other.pk]["reasons"]
    assert matches[other.pk]["score"] < matches[same.pk]["score"]


def test_the_api_takes_json_only_and_a_blank_title_is_a_field_error(client_for, editor, pillar, countries):
    client = client_for(editor)
    assert client.post(URL, {"title": "Cyber lab"}).status_code == 415  # form-encoded: not the documented body
    response = post(client, concept(title="   "))
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Consultation.objects.exists()


def test_a_description_longer_than_a_concept_note_is_refused(client_for, editor, pillar, countries):
    response = post(client_for(editor), concept(description="word " * (engine.CONCEPT_DESCRIPTION_MAX_LENGTH // 5 + 1)))
    assert response.status_code == 400
    assert list(response.json()) == ["description"]
    assert not Consultation.objects.exists()
