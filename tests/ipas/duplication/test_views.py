"""Who may use each duplication and consultation page, and who may not."""

from datetime import date

import pytest
from django.urls import reverse

from ipas.duplication.services import duplicate_flag_resolve
from ipas.models import Consultation, DuplicateFlag, DuplicationExport, DuplicationRun
from tests.ipas.factories import ActivityFactory, FundingFactory


@pytest.fixture
def flag(partner_org, other_org, countries):
    """A flag between an activity of the editor's organisation (UNDP) and one of IOM."""
    a = ActivityFactory(title="Training on asset recovery", organisation=partner_org, countries=["RS"])
    b = ActivityFactory(title="Course on asset recovery", organisation=other_org, countries=["RS"])
    FundingFactory(activity=a)
    FundingFactory(activity=b)
    return DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=0.81, reasons=["title 81% similar"])


@pytest.fixture
def strangers_flag(other_org, lead_org, countries):
    """A flag between two activities of organisations the editor does not belong to."""
    a = ActivityFactory(title="Border patrols", organisation=other_org, countries=["ME"])
    b = ActivityFactory(title="Joint border patrols", organisation=lead_org, countries=["ME"])
    return DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=0.7, reasons=["title 70% similar"])


STAFF_PAGES = [
    ("ipas:duplication_report", {}),
    ("ipas:duplication_export_detail", {"pk": 1}),
    ("ipas:duplication_export_download", {"pk": 1}),
    ("ipas:consultation_list", {}),
    ("ipas:consultation_detail", {"pk": 1}),  # refused before it is looked up: no hint whether it exists
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_sign_in(client_for, name, kwargs, db):
    response = client_for(None).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
@pytest.mark.parametrize("persona", ["editor", "viewer", "lead", "secretariat", "observer"])
def test_staff_pages_are_forbidden_to_everyone_but_support_group_staff(client_for, request, persona, name, kwargs):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name, kwargs=kwargs)).status_code == 403


def test_support_staff_see_the_report_strongest_first_with_filters(client_for, support, flag, strangers_flag, pillar):
    response = client_for(support).get(reverse("ipas:duplication_report"))
    assert response.status_code == 200
    assert [f.pk for f in response.context["page"]] == [flag.pk, strangers_flag.pk]
    response = client_for(support).get(reverse("ipas:duplication_report"), {"country": "ME"})
    assert [f.pk for f in response.context["page"]] == [strangers_flag.pk]
    response = client_for(support).get(reverse("ipas:duplication_report"), {"min_score": 75})
    assert [f.pk for f in response.context["page"]] == [flag.pk]


def test_the_report_filters_by_pillar_donor_and_kind(
    client_for, support, partner_org, other_org, objective, other_objective, donor, other_donor, countries
):
    def flag_between(objective, donors, kind, score):
        pair = []
        for n, donor_of_side in enumerate(donors):
            activity = ActivityFactory(title=f"Activity {score} {n}", organisation=partner_org, objective=objective)
            FundingFactory(activity=activity, donor=donor_of_side)
            pair.append(activity)
        return DuplicateFlag.objects.create(
            activity_a=pair[0], activity_b=pair[1], score=score, kind=kind, reasons=[f"title {score:.0%} similar"]
        )

    across = flag_between(objective, [donor, other_donor], "cross_donor", 0.9)
    twice = flag_between(objective, [donor, donor], "double_entry", 0.8)
    elsewhere = flag_between(other_objective, [other_donor, other_donor], "double_entry", 0.7)
    client = client_for(support)

    def listed(**filters):
        response = client.get(reverse("ipas:duplication_report"), filters)
        assert response.status_code == 200
        return [f.pk for f in response.context["page"]]

    assert listed() == [across.pk, twice.pk, elsewhere.pk]
    assert listed(pillar=objective.ipa.pillar_id) == [across.pk, twice.pk]
    assert listed(pillar=other_objective.ipa.pillar_id) == [elsewhere.pk]
    assert listed(donor=donor.pk) == [across.pk, twice.pk]
    assert listed(donor=other_donor.pk) == [across.pk, elsewhere.pk]
    assert listed(kind="double_entry") == [twice.pk, elsewhere.pk]
    assert listed(kind="double_entry", donor=donor.pk) == [twice.pk]
    assert listed(kind="no_donor") == []


def test_the_report_lists_its_flags_in_a_fixed_number_of_queries(
    client_for, support, flag, strangers_flag, django_assert_max_num_queries
):
    client = client_for(support)
    client.get(reverse("ipas:duplication_report"))
    with django_assert_max_num_queries(14):
        client.get(reverse("ipas:duplication_report"))


def test_the_report_and_its_progress_do_not_read_the_runs_word_weights(client_for, support, flag):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = DuplicationRun.objects.create(status="done", percent=100, word_weights=b"x" * 100_000)
    client = client_for(support)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("ipas:duplication_report")).status_code == 200
        assert client.get(reverse("ipas:duplication_progress", args=[run.pk])).status_code == 200
    read_runs = [q["sql"] for q in queries if "ipas_duplicationrun" in q["sql"]]
    assert read_runs
    assert not any("word_weights" in sql for sql in read_runs)


def test_running_the_report_is_staff_only_and_one_at_a_time(
    client_for, support, editor, django_capture_on_commit_callbacks, db
):
    assert client_for(editor).post(reverse("ipas:duplication_run")).status_code == 403
    client = client_for(support)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("ipas:duplication_run"))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the Celery job is queued after commit
    run = DuplicationRun.objects.get()
    assert (run.status, run.requested_by) == ("queued", support)
    client.post(reverse("ipas:duplication_run"))
    assert DuplicationRun.objects.count() == 1
    response = client.get(reverse("ipas:duplication_progress", args=[run.pk]))
    assert response.status_code == 200
    assert client_for(editor).get(reverse("ipas:duplication_progress", args=[run.pk])).status_code == 403


def test_run_anonymous_redirected(client_for, db):
    response = client_for(None).post(reverse("ipas:duplication_run"))
    assert response.status_code == 302


def test_partners_see_flags_on_their_own_activities_only(client_for, editor, flag, strangers_flag):
    client = client_for(editor)
    response = client.get(reverse("ipas:duplication_mine"))
    assert [f.pk for f in response.context["page"]] == [flag.pk]
    assert client.get(reverse("ipas:duplicate_flag", args=[flag.pk])).status_code == 200
    assert client.get(reverse("ipas:duplicate_flag", args=[strangers_flag.pk])).status_code == 404


@pytest.mark.parametrize("involvement", ["implements", "funds"])
def test_partners_see_flags_on_activities_their_organisation_implements_or_funds(
    client_for, editor, partner_org, strangers_flag, flag, involvement
):
    activity = strangers_flag.activity_b
    if involvement == "implements":
        activity.implementing_organisation = partner_org
        activity.save()
    else:
        FundingFactory(activity=activity, donor=partner_org)
        FundingFactory(activity=activity)  # a second donor: the flag is listed once
    response = client_for(editor).get(reverse("ipas:duplication_mine"))
    assert [f.pk for f in response.context["page"]] == [flag.pk, strangers_flag.pk]
    assert client_for(editor).get(reverse("ipas:duplicate_flag", args=[strangers_flag.pk])).status_code == 200


def test_our_flags_page_reads_the_database_as_often_for_many_flags_as_for_one(client_for, editor, partner_org, flag):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("ipas:duplication_mine")).status_code == 200
        return len(captured)

    queries()  # the first request of a process fills its caches of reference data
    one = queries()
    for n in range(5):
        a = ActivityFactory(title=f"Asset recovery course {n}", organisation=partner_org)
        b = ActivityFactory(title=f"Asset recovery training {n}")
        FundingFactory(activity=a)
        FundingFactory(activity=b)
        DuplicateFlag.objects.create(activity_a=a, activity_b=b, score=0.7, reasons=["title 70% similar"])
    assert queries() == one


def test_a_flag_with_another_organisations_draft_stays_hidden_from_partners(
    client_for, editor, other_editor, partner_org, other_org, countries
):
    """The engine compares drafts too; a partner must not read another organisation's unpublished entry."""
    ours = ActivityFactory(title="Training on asset recovery", organisation=partner_org, countries=["RS"])
    their_draft = ActivityFactory(
        title="Course on asset recovery",
        description="Unpublished plans of IOM.",
        organisation=other_org,
        countries=["RS"],
        approval_state="draft",
    )
    flag = DuplicateFlag.objects.create(activity_a=ours, activity_b=their_draft, score=0.8, reasons=["title 80%"])
    client = client_for(editor)
    assert list(client.get(reverse("ipas:duplication_mine")).context["page"]) == []
    assert client.get(reverse("ipas:duplicate_flag", args=[flag.pk])).status_code == 404
    # The organisation whose draft it is sees the flag: both sides are visible to its editors.
    other = client_for(other_editor)
    assert [f.pk for f in other.get(reverse("ipas:duplication_mine")).context["page"]] == [flag.pk]
    assert b"Unpublished plans of IOM." in other.get(reverse("ipas:duplicate_flag", args=[flag.pk])).content


def test_a_viewer_does_not_see_flags_on_its_organisations_drafts(client_for, viewer, partner_org, other_org, countries):
    our_draft = ActivityFactory(organisation=partner_org, countries=["RS"], approval_state="draft")
    theirs = ActivityFactory(organisation=other_org, countries=["RS"])
    flag = DuplicateFlag.objects.create(activity_a=our_draft, activity_b=theirs, score=0.8, reasons=["title 80%"])
    assert client_for(viewer).get(reverse("ipas:duplicate_flag", args=[flag.pk])).status_code == 404


def test_a_partner_may_read_a_flag_on_its_activity_but_not_settle_it(client_for, editor, flag):
    url = reverse("ipas:duplicate_flag_resolve", args=[flag.pk])
    assert client_for(editor).post(url, {"resolution": "duplicate"}).status_code == 403
    flag.refresh_from_db()
    assert flag.is_open


def test_settling_a_flag_of_another_organisation_is_not_found_for_partners(client_for, editor, strangers_flag):
    url = reverse("ipas:duplicate_flag_resolve", args=[strangers_flag.pk])
    assert client_for(editor).post(url, {"resolution": "duplicate"}).status_code == 404


def test_support_staff_settle_a_flag_with_a_note(client_for, support, flag):
    client = client_for(support)
    page = client.get(reverse("ipas:duplicate_flag", args=[flag.pk]))
    assert page.status_code == 200
    assert b"<mark>" in page.content  # shared words highlighted
    response = client.post(
        reverse("ipas:duplicate_flag_resolve", args=[flag.pk]), {"resolution": "unrelated", "note": "Other topic."}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.resolution, flag.note, flag.resolved_by) == ("unrelated", "Other topic.", support)
    assert flag.snapshot["a"]["title"] == "Training on asset recovery"
    # Audited: the decision is an event with its actor.
    event = flag.events.order_by("pgh_id").last()
    assert event.resolution == "unrelated"
    assert event.pgh_context.metadata["action"] == "duplicate_flag_resolve"
    # A missing decision is a form error, not a crash.
    response = client.post(reverse("ipas:duplicate_flag_resolve", args=[flag.pk]), {"note": "x"})
    assert response.status_code == 400


def test_a_second_decision_on_a_settled_flag_is_refused_and_the_first_stands(client_for, support, flag):
    """Two staff members on the same flag (or a stale tab): the first decision stands, the second is told."""
    first = duplicate_flag_resolve(actor=support, flag=flag, resolution="duplicate", note="Same training.")
    client = client_for(support)
    response = client.post(
        reverse("ipas:duplicate_flag_resolve", args=[flag.pk]), {"resolution": "unrelated", "note": "No."}, follow=True
    )
    assert "already settled as duplicate" in response.content.decode()
    flag.refresh_from_db()
    assert (flag.resolution, flag.note, flag.resolved_at) == ("duplicate", "Same training.", first.resolved_at)


def test_after_settling_staff_return_to_the_report_as_they_filtered_it(client_for, support, flag, strangers_flag):
    client = client_for(support)
    report = client.get(reverse("ipas:duplication_report"), {"country": "RS", "page": "1"})
    filtered = f"{reverse('ipas:duplication_report')}?country=RS&page=1"
    assert f"?next={filtered.replace('?', '%3F').replace('=', '%3D').replace('&', '%26')}" in report.content.decode()
    page = client.get(reverse("ipas:duplicate_flag", args=[flag.pk]), {"next": filtered})
    assert page.context["report_url"] == filtered
    response = client.post(
        reverse("ipas:duplicate_flag_resolve", args=[flag.pk]), {"resolution": "complementary", "next": filtered}
    )
    assert response.url == filtered
    # Anywhere else is not followed.
    report = reverse("ipas:duplication_report")
    for elsewhere in (
        "https://evil.example/activities/duplication/",
        "//evil.example/activities/duplication/",
        "/admin/",
        f"{report}../../admin/",
        reverse("ipas:duplication_export", kwargs={"fmt": "xlsx"}),
    ):
        page = client.get(reverse("ipas:duplicate_flag", args=[strangers_flag.pk]), {"next": elsewhere})
        assert page.context["report_url"] == reverse("ipas:duplication_report")


def test_a_settled_flag_can_be_opened_again_by_staff(client_for, support, flag):
    duplicate_flag_resolve(actor=support, flag=flag, resolution="duplicate")
    client = client_for(support)
    client.post(reverse("ipas:duplicate_flag_reopen", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.is_open
    # Nothing changed: the report does not say it came back after a change, and the flag says who settled it.
    report = client.get(reverse("ipas:duplication_report")).content.decode()
    assert "opened again" in report and "back after a change" not in report
    page = client.get(reverse("ipas:duplicate_flag", args=[flag.pk])).content.decode()
    assert "Opened again by the Support Group; earlier settled as “Duplicate”" in page
    assert "Back after a change" not in page


def _export(client, fmt: str, query: str = "", capture=None) -> tuple:
    """Ask for a file as the report's buttons do; the task runs (eagerly) on commit. (detail page, file)."""
    with capture(execute=True):
        response = client.post(reverse("ipas:duplication_export", kwargs={"fmt": fmt}), {"query": query})
    assert response.status_code == 302
    export = DuplicationExport.objects.latest("pk")
    assert response["Location"] == reverse("ipas:duplication_export_detail", args=[export.pk])
    page = client.get(response["Location"])
    download = client.get(reverse("ipas:duplication_export_download", args=[export.pk]))
    return page, download


def test_staff_read_every_decision_on_a_flag_and_partners_do_not(client_for, support, editor, flag):
    from ipas.duplication.services import duplicate_flag_reopen

    duplicate_flag_resolve(actor=support, flag=flag, resolution="duplicate", note="Same course twice.")
    duplicate_flag_reopen(actor=support, flag=flag)
    duplicate_flag_resolve(actor=support, flag=flag, resolution="complementary", note="Two modules.")
    page = client_for(support).get(reverse("ipas:duplicate_flag", args=[flag.pk]))
    assert [(d["what"], d["who"], d["detail"]) for d in page.context["decisions"]] == [
        ("Settled as duplicate", support, "Same course twice."),
        ("Opened again", support, ""),
        ("Settled as complementary", support, "Two modules."),
    ]
    assert 'data-testid="decisions"' in page.content.decode()
    partner_page = client_for(editor).get(reverse("ipas:duplicate_flag", args=[flag.pk]))
    assert partner_page.status_code == 200 and 'data-testid="decisions"' not in partner_page.content.decode()


def test_export_xlsx_and_pdf(client_for, support, flag, django_capture_on_commit_callbacks):
    import io

    from openpyxl import load_workbook

    flag.activity_a.title = '=HYPERLINK("http://evil")'
    flag.activity_a.save()
    client = client_for(support)
    page, download = _export(client, "xlsx", capture=django_capture_on_commit_callbacks)
    assert "The file holds 1 of 1 open flags." in page.content.decode()
    assert 'data-testid="export-progress"' in page.content.decode() and "hx-get" not in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet["D2"].value.startswith("'=")  # no formula injection
    assert sheet["B2"].value == 81
    _page, download = _export(client, "pdf", capture=django_capture_on_commit_callbacks)
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")


def test_an_export_page_polls_until_the_file_is_built(client_for, support, flag):
    # Without a worker (on_commit callbacks not run here) the export waits, and its page says so and polls.
    client = client_for(support)
    response = client.post(reverse("ipas:duplication_export", kwargs={"fmt": "pdf"}), {"query": "country=RS"})
    export = DuplicationExport.objects.get()
    assert (export.status, export.format, export.query, export.requested_by) == ("queued", "pdf", "country=RS", support)
    assert export.filters == "Open flags with beneficiary RS"
    html = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in html and "hx-get" in html
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="export-progress"')
    # Nothing to download yet.
    assert client.get(reverse("ipas:duplication_export_download", args=[export.pk])).status_code == 404
    # The report lists the files asked for lately, so a file is found again after leaving its page.
    report = client.get(reverse("ipas:duplication_report")).content.decode()
    assert f'href="{response["Location"]}">PDF file {export.pk}</a> · Open flags with beneficiary RS · queued' in report
    # Going back to the page in the browser asks for the whole page, not the card.
    restored = client.get(response["Location"], headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.content.decode()
    # A failed file stops the polling and leads back to the report.
    DuplicationExport.objects.filter(pk=export.pk).update(status="failed", message="The file could not be built.")
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in partial and "Back to the report" in partial


def test_exports_are_asked_for_by_support_staff_only_and_by_post(client_for, editor, support, flag):
    url = reverse("ipas:duplication_export", kwargs={"fmt": "xlsx"})
    assert client_for(None).post(url).status_code == 302
    assert client_for(editor).post(url).status_code == 403
    assert client_for(support).get(url).status_code == 405
    assert client_for(support).post(reverse("ipas:duplication_export", kwargs={"fmt": "csv"})).status_code == 404
    response = client_for(support).post(url, {"query": "min_score=500"})  # not a valid filter
    assert response["Location"] == reverse("ipas:duplication_report")
    assert not DuplicationExport.objects.exists()


def test_consult_is_for_partners_with_the_consult_permission(client_for, observer, support, db):
    assert client_for(None).get(reverse("ipas:consult")).status_code == 302
    assert client_for(observer).get(reverse("ipas:consult")).status_code == 403
    assert client_for(support).get(reverse("ipas:consult")).status_code == 403


def test_consult_answers_with_visible_activities_and_records_the_consultation(
    client_for, viewer, partner_org, other_org, objective, pillar, countries
):
    approved = ActivityFactory(
        title="Regional training on financial investigations and asset recovery",
        description="Prosecutors and the Financial Intelligence Unit trace criminal assets in Belgrade.",
        organisation=other_org,
        countries=["RS"],
        objective=objective,
    )
    draft = ActivityFactory(
        title="Regional training on financial investigations and asset recovery",
        description="Prosecutors and the Financial Intelligence Unit trace criminal assets in Belgrade.",
        organisation=other_org,
        countries=["RS"],
        approval_state="draft",
    )
    ActivityFactory(title="Thermal cameras for the green border", countries=["ME"])
    response = client_for(viewer).post(
        reverse("ipas:consult"),
        {
            "title": "Training on asset recovery and financial investigations",
            "description": "Tracing criminal assets with prosecutors and the Financial Intelligence Unit.",
            "beneficiaries": ["RS"],
            "pillar": pillar.pk,
            "start": "2025-03-01",
            "end": "2025-10-31",
        },
    )
    assert response.status_code == 200
    shown = [match.activity_id for match in response.context["matches"]]
    assert shown[0] == approved.pk
    assert draft.pk not in shown  # another organisation's draft never shows
    html = response.content.decode()
    assert f'href="{reverse("ipas:activity_detail", args=[approved.pk])}"' in html  # each match opens
    assert 'data-testid="score-legend"' in html
    consultation = Consultation.objects.get()
    assert consultation.user == viewer
    assert consultation.results[0]["activity"] == approved.pk
    # What was shown is kept as shown: the activity may change or go later.
    assert (consultation.results[0]["title"], consultation.results[0]["organisation"]) == (approved.title, "IOM")
    assert consultation.beneficiaries == ["RS"]
    assert consultation.start == date(2025, 3, 1)
    assert [pk for pk, _w, _label in response.context["objectives"]][:1] == [objective.pk]


def test_support_staff_read_the_consultation_log(client_for, support, viewer, db):
    Consultation.objects.create(user=viewer, title="Cyber lab for Montenegro")
    response = client_for(support).get(reverse("ipas:consultation_list"))
    assert response.status_code == 200
    assert b"Cyber lab for Montenegro" in response.content


def test_support_staff_open_a_consultation_to_see_what_it_showed(client_for, support, viewer, objective, countries):
    shown = ActivityFactory(title="Cyber forensics laboratory", countries=["ME"])
    gone = ActivityFactory(title="Deleted since", approval_state="draft")  # only a draft is ever deleted
    consultation = Consultation.objects.create(
        user=viewer,
        title="Cyber lab for Montenegro",
        description="A forensic laboratory for the police of Montenegro.",
        beneficiaries=["ME"],
        results=[
            {"activity": shown.pk, "score": 0.71, "reasons": ["same beneficiary ME"]},
            {
                "activity": gone.pk,
                "score": 0.42,
                "reasons": ["title 40% similar"],
                "title": "Deleted since",
                "organisation": "UNODC",
                "status": "Planned",
            },
        ],
        objectives=[{"objective": objective.pk, "weight": 0.9}],
    )
    gone_pk = gone.pk
    gone.delete()
    client = client_for(support)
    log = client.get(reverse("ipas:consultation_list")).content.decode()
    url = reverse("ipas:consultation_detail", args=[consultation.pk])
    assert f'href="{url}"' in log
    page = client.get(url)
    html = page.content.decode()
    assert "A forensic laboratory for the police of Montenegro." in html
    assert [m["activity_id"] for m in page.context["matches"]] == [shown.pk, gone_pk]
    assert "71%" in html and "same beneficiary ME" in html
    assert f'Deleted since</span> <span class="text-muted">(activity {gone_pk}, since deleted)' in html
    assert "UNODC · Planned" in html
    assert "Now titled" not in html
    # A consultation kept before titles were recorded shows the activity as it is now; one renamed since says so.
    assert "Cyber forensics laboratory" in html
    consultation.results[0].update(title="Cyber lab", organisation="UNDP", status="Ongoing")
    consultation.save()
    html = client.get(url).content.decode()
    assert ">Cyber lab</a>" in html and "Now titled “Cyber forensics laboratory”." in html
    assert page.context["objectives"][0]["label"].startswith("WBCTi 1")
    # The partner who made it reads it again; others do not read each other's plans.
    mine = client_for(viewer).get(url)
    assert mine.status_code == 200 and reverse("ipas:consult") in mine.content.decode()
    assert client.get(reverse("ipas:consultation_detail", args=[consultation.pk + 1000])).status_code == 404


def test_partners_find_their_own_recent_checks_and_not_others(client_for, viewer, editor, countries):
    concept = {"title": "Cyber lab for Montenegro", "beneficiaries": ["ME"]}
    client_for(viewer).post(reverse("ipas:consult"), concept)
    consultation = Consultation.objects.get()
    page = client_for(viewer).get(reverse("ipas:consult")).content.decode()
    detail = reverse("ipas:consultation_detail", args=[consultation.pk])
    assert 'data-testid="recent-consultations"' in page and f'href="{detail}">Cyber lab for Montenegro</a>' in page
    assert client_for(viewer).get(detail).status_code == 200
    # Another partner: refused alike whether the consultation exists or not.
    assert 'data-testid="recent-consultations"' not in client_for(editor).get(reverse("ipas:consult")).content.decode()
    assert client_for(editor).get(detail).status_code == 403
    assert client_for(editor).get(reverse("ipas:consultation_detail", args=[consultation.pk + 1])).status_code == 403


def test_exports_say_which_filters_and_how_many_of_the_matching_flags_they_hold(
    client_for, support, flag, strangers_flag, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from ipas.duplication import report_files
    from tests.utils import pdf_text

    client = client_for(support)
    capture = django_capture_on_commit_callbacks
    _page, download = _export(client, "xlsx", "country=RS&min_score=50", capture=capture)
    book = load_workbook(io.BytesIO(download.content))
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert about["Filters"] == "Open flags with beneficiary RS, score at least 50%"
    assert about["Flags"] == "1 of 1 flags"
    assert book["Open flags"].max_row == 2

    monkeypatch.setattr(report_files, "EXPORT_LIMITS", {"xlsx": 1, "pdf": 1})  # more flags than a file takes
    page, download = _export(client, "xlsx", capture=capture)
    assert "The file holds 1 of 2 open flags." in page.content.decode()
    book = load_workbook(io.BytesIO(download.content))
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert about["Filters"] == "All open flags"
    assert about["Flags"].startswith("1 of 2 flags (the strongest 1;")
    _page, download = _export(client, "pdf", capture=capture)
    text = " ".join(pdf_text(download.content, tmp_path).split())
    assert "All open flags · the strongest 1 of 2 flags" in text


def test_the_kind_filter_offers_every_kind_of_flag():
    from ipas.duplication.forms import FlagFilterForm

    offered = {value for value, _label in FlagFilterForm().fields["kind"].choices}
    assert offered == {"", *DuplicateFlag.Kind.values}
