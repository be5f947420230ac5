import pytest
from django.apps import apps
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipas.models import Activity, Funding
from pillars.models import Pillar
from tests.second_factor import code_for


def _row_counts():
    # Every table of the project's apps, audit event tables included: a second run must add nothing.
    return {
        model._meta.label: model.objects.count()
        for app in ("partners", "pillars", "ipas", "board")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", activities=25)
    first = _row_counts()
    call_command("seed_demo", activities=25)
    assert _row_counts() == first
    assert first["ipas.Activity"] == 25
    assert first["ipas.DuplicationRun"] == 1  # the first report ran once, the second seed left it


@pytest.mark.django_db
@pytest.mark.slow  # 300 activities and a full report
def test_the_demo_shows_duplication_flags_from_the_start():
    from ipas.models import DuplicateFlag, DuplicationRun

    call_command("seed_demo", activities=300)
    run = DuplicationRun.objects.get()
    assert run.status == "done"
    # The demo portfolio holds reworded entries of the same work across donors, as the field's data does.
    assert DuplicateFlag.objects.open().filter(kind="cross_donor").exists()


@pytest.mark.django_db
def test_benchmarks_seed_without_the_report():
    from ipas.models import DuplicationRun

    call_command("seed_demo", activities=5, no_duplication_report=True)
    assert not DuplicationRun.objects.exists()


@pytest.mark.django_db
def test_seed_demo_builds_the_briefing_structure():
    call_command("seed_demo", activities=0)
    assert Activity.objects.count() == 0
    leads = {
        p.code: (p.lead_organisation.name, sorted(o.short_name for o in p.co_lead_organisations.all()))
        for p in Pillar.objects.all()
    }
    assert leads == {
        "WBCTi": ("DCAF Ljubljana", ["AT BMI", "SI MoI"]),
        "WBCSCi": ("PCC SEE Secretariat", []),
        "WBBSi": ("DCAF Ljubljana", ["AT BMI"]),
    }


@pytest.mark.django_db
def test_more_activities_extend_the_same_first_ones():
    call_command("seed_demo", activities=5)
    first_five = list(Activity.objects.order_by("external_id").values_list("external_id", "title"))
    call_command("seed_demo", activities=8)
    assert list(Activity.objects.order_by("external_id").values_list("external_id", "title"))[:5] == first_five
    assert Activity.objects.count() == 8
    assert Funding.objects.filter(activity__external_id="DEMO-000007").exists()


@pytest.mark.django_db
def test_demo_lead_partner_can_sign_in(client):
    call_command("seed_demo", activities=3)
    response = client.post(
        "/accounts/login/", {"username": "lead.dcaf@iisg.demo", "password": "iisg-demo-2026"}, follow=True
    )
    # A Lead Partner's first sign-in sets up the second factor, then goes on to the dashboard.
    assert response.redirect_chain[-1][0].startswith("/accounts/second-factor/?next=")
    device = TOTPDevice.objects.get(user=response.wsgi_request.user, confirmed=False)
    client.post("/accounts/second-factor/", {"code": code_for(device), "next": "/"})
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user.email == "lead.dcaf@iisg.demo"
    assert "Review queue" in [item["label"] for item in response.context["nav_items"]] or not _review_queue_exists()


def _review_queue_exists():
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("ipas:review_queue")
    except NoReverseMatch:
        return False
    return True
