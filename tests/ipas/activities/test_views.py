import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ipas.activities import services
from ipas.models import Activity
from tests.ipas.factories import ActivityFactory, FundingFactory, IntegratedPlanOfActionFactory, ObjectiveFactory


def _form_post(objective, partner_org, donor, **overrides):
    data = {
        "title": "Border risk analysis training",
        "description": "Course for analysts.",
        "implementing_organisation": partner_org.pk,
        "status": "planned",
        "pillar": "",
        "primary_objective": objective.pk,
        "beneficiaries": ["AL", "XK"],
        "planned_start": "2026-02-01",
        "planned_end": "2026-10-31",
        "budget_eur": "100000",
        "contact": "",
        "links": "",
        "funding-TOTAL_FORMS": "2",
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "50",
        "funding-0-donor": donor.pk,
        "funding-0-amount": "40000",
        "funding-0-currency": "EUR",
        "funding-0-amount_eur": "",
        "funding-0-status": "committed",
        "funding-0-instrument": "EU IPA II",
        "funding-1-donor": donor.pk,
        "funding-1-amount": "30000",
        "funding-1-currency": "USD",
        "funding-1-amount_eur": "27600",
        "funding-1-status": "pledged",
        "funding-1-instrument": "",
    }
    data.update(overrides)
    return data


# --- who may use each view -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    for url in [
        reverse("ipas:activity_list"),
        reverse("ipas:activity_create"),
        reverse("ipas:activity_detail", args=[draft.pk]),
        reverse("ipas:activity_update", args=[draft.pk]),
        reverse("ipas:review_queue"),
        reverse("ipas:activity_export", args=["csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_another_organisation_gets_404_for_a_draft(client_for, other_editor, draft):
    client = client_for(other_editor)
    for name in ("activity_detail", "activity_update", "activity_withdraw", "activity_duplicate"):
        assert client.get(reverse(f"ipas:{name}", args=[draft.pk])).status_code == 404, name
    assert client.post(reverse("ipas:activity_submit", args=[draft.pk])).status_code == 404


def test_another_organisation_gets_403_on_writes_to_an_approved_activity(client_for, other_editor, objective):
    approved = ActivityFactory(objective=objective)
    client = client_for(other_editor)
    assert client.get(reverse("ipas:activity_detail", args=[approved.pk])).status_code == 200
    assert client.get(reverse("ipas:activity_update", args=[approved.pk])).status_code == 403
    assert client.post(reverse("ipas:activity_withdraw", args=[approved.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["viewer", "observer", "secretariat"])
def test_read_only_users_get_403_on_writes(request, client_for, persona, objective, partner_org):
    approved = ActivityFactory(objective=objective, organisation=partner_org)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("ipas:activity_detail", args=[approved.pk])).status_code == 200
    assert client.get(reverse("ipas:activity_create")).status_code == 403
    assert client.get(reverse("ipas:activity_update", args=[approved.pk])).status_code == 403
    assert client.post(reverse("ipas:activity_submit", args=[approved.pk])).status_code == 403


def test_list_never_shows_other_organisations_drafts(
    client_for, editor, other_editor, objective, partner_org, other_org
):
    ActivityFactory(title="Our draft", organisation=partner_org, approval_state="draft", objective=objective)
    ActivityFactory(title="Their draft", organisation=other_org, approval_state="draft", objective=objective)
    ActivityFactory(
        title="Their returned entry", organisation=other_org, approval_state="returned", objective=objective
    )
    ActivityFactory(title="Approved work", organisation=other_org, objective=objective)
    titles = {a.title for a in client_for(editor).get(reverse("ipas:activity_list")).context["page"]}
    assert titles == {"Our draft", "Approved work"}


def test_lead_partners_see_submitted_entries_of_their_pillar_only(
    client_for, lead, other_lead, other_editor, other_org, entry_data, objective, other_objective
):
    for title, chosen in (("Submitted to WBCTi", objective), ("Submitted to WBCSCi", other_objective)):
        activity = services.activity_create(
            actor=other_editor,
            organisation=other_org,
            data={**entry_data, "title": title, "primary_objective": chosen.pk},
        )
        services.activity_submit(actor=other_editor, activity=activity)
    ActivityFactory(title="Draft of WBCTi", organisation=other_org, approval_state="draft", objective=objective)
    assert {a.title for a in client_for(lead).get(reverse("ipas:activity_list")).context["page"]} == {
        "Submitted to WBCTi"
    }
    assert {a.title for a in client_for(other_lead).get(reverse("ipas:activity_list")).context["page"]} == {
        "Submitted to WBCSCi"
    }


# --- forms ----------------------------------------------------------------------------------------------------


def test_editor_logs_an_activity_with_two_funding_lines(client_for, editor, objective, partner_org, donor, countries):
    response = client_for(editor).post(reverse("ipas:activity_create"), _form_post(objective, partner_org, donor))
    assert response.status_code == 302, response.context and response.context["form"].errors
    activity = Activity.objects.get(title="Border risk analysis training")
    assert activity.organisation == partner_org
    assert sorted(f.amount_eur for f in activity.fundings.all()) == [27600, 40000]
    assert sorted(activity.beneficiaries.values_list("code", flat=True)) == ["AL", "XK"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_end": "2026-01-01"}, "planned_end", "cannot be before the planned start"),
        ({"beneficiaries": []}, "beneficiaries", "at least one beneficiary"),
        ({"budget_eur": "-5"}, "budget_eur", "greater than or equal to 0"),
        ({"funding-0-amount": "-10"}, None, "greater than or equal to 0"),
        ({"funding-1-amount_eur": ""}, None, "EUR value"),
    ],
)
def test_bad_input_is_refused_on_the_field_and_nothing_typed_is_lost(
    client_for, editor, objective, partner_org, donor, countries, overrides, field, message
):
    response = client_for(editor).post(
        reverse("ipas:activity_create"), _form_post(objective, partner_org, donor, **overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if field:
        assert field in response.context["form"].errors
    assert 'value="Border risk analysis training"' in html
    assert not Activity.objects.exists()


def test_objective_of_an_ipa_not_adopted_is_refused(client_for, editor, pillar, partner_org, donor, countries):
    draft_ipa = IntegratedPlanOfActionFactory(
        pillar=pillar, status="draft", period_start="2028-01-01", period_end="2031-12-31"
    )
    objective = ObjectiveFactory(ipa=draft_ipa, code="4")
    response = client_for(editor).post(reverse("ipas:activity_create"), _form_post(objective, partner_org, donor))
    assert "not adopted" in str(response.context["form"].errors["primary_objective"])


def test_funding_above_budget_is_a_warning_the_user_can_confirm(
    client_for, editor, objective, partner_org, donor, countries
):
    client = client_for(editor)
    data = _form_post(objective, partner_org, donor, budget_eur="50000")
    response = client.post(reverse("ipas:activity_create"), data)
    assert response.status_code == 200
    assert "more than the budget" in response.content.decode()
    assert not Activity.objects.exists()
    response = client.post(reverse("ipas:activity_create"), {**data, "confirm_over_budget": "on"})
    assert response.status_code == 302
    assert Activity.objects.get().budget_eur == 50000


def test_concurrent_edit_is_refused_with_what_changed_and_the_input_kept(
    client_for, editor, draft, objective, partner_org, donor
):
    client = client_for(editor)
    form = client.get(reverse("ipas:activity_update", args=[draft.pk])).context["form"]
    version, base = form.initial["version"], form.initial["base"]
    services.activity_update(
        actor=editor,
        activity=draft,
        data={**services.activity_snapshot(draft), "title": "Colleague's title"},
        expected_version=version,
    )
    data = _form_post(objective, partner_org, donor, title="My title", version=version, base=base)
    response = client.post(reverse("ipas:activity_update", args=[draft.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this activity" in html
    assert "Colleague&#x27;s title" in html
    assert 'value="My title"' in html
    assert Activity.objects.get(pk=draft.pk).title == "Colleague's title"
    # Saving again, now knowingly, succeeds.
    retry = response.context["form"].data
    assert client.post(reverse("ipas:activity_update", args=[draft.pk]), retry).status_code == 302
    assert Activity.objects.get(pk=draft.pk).title == "My title"


@pytest.mark.parametrize("version", [None, "", "not a number"], ids=["omitted", "empty", "garbled"])
def test_an_edit_posted_without_its_version_is_refused_with_a_message_and_nothing_saved(
    client_for, editor, draft, objective, partner_org, donor, version
):
    data = _form_post(objective, partner_org, donor, title="Saved over a colleague's work")
    if version is not None:
        data["version"] = version
    response = client_for(editor).post(reverse("ipas:activity_update", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "does not say which version of the activity you edited" in response.content.decode()
    activity = Activity.objects.get(pk=draft.pk)
    assert activity.title == draft.title and activity.version == draft.version


def test_detail_shows_funding_approval_and_change_history(client_for, editor, draft):
    services.activity_update(
        actor=editor,
        activity=draft,
        data={**services.activity_snapshot(draft), "title": "Renamed"},
        expected_version=draft.version,
    )
    response = client_for(editor).get(reverse("ipas:activity_detail", args=[draft.pk]))
    history = response.context["history"]
    assert history[0]["who"] == editor
    assert {
        "label": "Title",
        "before": "Regional training on financial investigations for prosecutors",
        "after": "Renamed",
    } in history[0]["changes"]
    assert "EU IPA II" in response.content.decode()


def test_withdraw_asks_for_confirmation_first(client_for, editor, draft):
    client = client_for(editor)
    page = client.get(reverse("ipas:activity_withdraw", args=[draft.pk]))
    assert "Withdraw the activity" in page.content.decode()
    assert Activity.objects.get(pk=draft.pk).approval_state == "draft"
    client.post(reverse("ipas:activity_withdraw", args=[draft.pk]))
    assert Activity.objects.get(pk=draft.pk).approval_state == "withdrawn"


def test_duplicate_as_new_prefills_the_form(client_for, editor, draft):
    form = client_for(editor).get(reverse("ipas:activity_duplicate", args=[draft.pk])).context["form"]
    assert form.initial["title"].startswith("Copy of ")
    assert form.initial["beneficiaries"] == ["ME", "RS"]


# --- list: filters, export, query count --------------------------------------------------------------------------


def test_filters_live_in_the_url_and_export_has_exactly_the_filtered_rows(
    client_for, editor, objective, other_objective, countries
):
    ActivityFactory(title='=HYPERLINK("http://evil")', objective=objective, countries=["RS"])
    ActivityFactory(title="Montenegro work", objective=objective, countries=["ME"])
    ActivityFactory(title="Serious crime in Serbia", objective=other_objective, countries=["RS"])
    client = client_for(editor)
    query = {"pillar": "WBCTi", "country": "RS"}
    page = client.get(reverse("ipas:activity_list"), query)
    assert [a.title for a in page.context["page"]] == ['=HYPERLINK("http://evil")']

    response = client.get(reverse("ipas:activity_export", args=["csv"]), query)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'

    response = client.get(reverse("ipas:activity_export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=3).value == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=3).data_type == "s"


def test_list_is_sorted_and_paginated(client_for, editor, objective):
    for n in range(30):
        ActivityFactory(title=f"Activity {n:02d}", objective=objective)
    client = client_for(editor)
    first = client.get(reverse("ipas:activity_list"), {"sort": "title"})
    assert [a.title for a in first.context["page"]][:2] == ["Activity 00", "Activity 01"]
    second = client.get(reverse("ipas:activity_list"), {"sort": "title", "page": 2})
    assert len(second.context["page"]) == 5
    assert "sort=title" in second.content.decode()


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("ipas:activity_list"), {"page": 2})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["editor", "support"])
def test_list_query_count_does_not_grow_with_rows(request, client_for, persona, objective, donor, countries):
    client = client_for(request.getfixturevalue(persona))

    def seed(n):
        for _ in range(n):
            FundingFactory(activity=ActivityFactory(objective=objective, countries=["RS", "ME"]), donor=donor)

    seed(50)
    _list_queries(client)  # warm the per-process caches (content types) so both counts are like for like
    at_50 = _list_queries(client)
    seed(450)
    at_500 = _list_queries(client)
    assert at_50 == at_500
    assert at_500 <= 20  # session, user, permissions, filter choices, count, page and 3 prefetches


def test_export_never_holds_what_the_list_hides(client_for, editor, objective, other_org):
    ActivityFactory(title="Their draft", organisation=other_org, approval_state="draft", objective=objective)
    ActivityFactory(title="Approved work", organisation=other_org, objective=objective)
    response = client_for(editor).get(reverse("ipas:activity_export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Approved work" in body
    assert "Their draft" not in body


@pytest.mark.django_db
def test_a_user_without_a_role_cannot_export(client_for):
    from tests.partners.factories import UserFactory

    assert client_for(UserFactory()).get(reverse("ipas:activity_export", args=["xlsx"])).status_code == 403
