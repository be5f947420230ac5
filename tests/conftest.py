"""Named personas and the small IISG world they live in.

Two pillars, each with its own Lead Partner organisation; two partner organisations; an observer.
Every persona gets its rights only through the services (groups and object permissions), as in production.
"""

from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from ipas.activities.services import activity_create
from partners import roles
from partners.models import Membership, Organisation
from partners.services import membership_set, staff_role_set
from pillars.services import pillar_leads_set
from tests.ipas.factories import IntegratedPlanOfActionFactory, ObjectiveFactory
from tests.partners.factories import CountryFactory, OrganisationFactory, UserFactory
from tests.pillars.factories import PillarFactory
from tests.second_factor import needs_second_factor, verify_session


@pytest.fixture
def countries(db):
    return {code: CountryFactory(code=code) for code in ["AL", "BA", "XK", "MK", "ME", "RS"]}


@pytest.fixture
def lead_org(db):
    return OrganisationFactory(name="DCAF Ljubljana", short_name="DCAF")


@pytest.fixture
def other_lead_org(db):
    return OrganisationFactory(
        name="PCC SEE Secretariat", short_name="PCC SEE", type=Organisation.Type.REGIONAL_INITIATIVE
    )


@pytest.fixture
def partner_org(db):
    return OrganisationFactory(name="United Nations Development Programme", short_name="UNDP")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="International Organization for Migration", short_name="IOM")


@pytest.fixture
def observer_org(db):
    return OrganisationFactory(name="Council of Europe", participation=Organisation.Participation.OBSERVER)


@pytest.fixture
def pillar(db, lead_org):
    pillar = PillarFactory(code="WBCTi", name="Western Balkan Counter-Terrorism initiative", order=1)
    return pillar_leads_set(actor=None, pillar=pillar, lead_organisation=lead_org)


@pytest.fixture
def other_pillar(db, other_lead_org):
    pillar = PillarFactory(code="WBCSCi", name="Western Balkan Counter-Serious Crime initiative", order=2)
    return pillar_leads_set(actor=None, pillar=pillar, lead_organisation=other_lead_org)


@pytest.fixture
def ipa(pillar):
    return IntegratedPlanOfActionFactory(pillar=pillar)


@pytest.fixture
def objective(ipa):
    return ObjectiveFactory(ipa=ipa, code="1", title="Prevent radicalisation and violent extremism")


@pytest.fixture
def other_objective(other_pillar):
    return ObjectiveFactory(
        ipa=IntegratedPlanOfActionFactory(pillar=other_pillar), code="1", title="Disrupt organised crime groups"
    )


def _member(email, organisation, role):
    user = UserFactory(email=email, full_name=email.split("@")[0])
    membership_set(actor=None, user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def editor(partner_org):
    return _member("editor@undp.example", partner_org, Membership.Role.EDITOR)


@pytest.fixture
def viewer(partner_org):
    return _member("viewer@undp.example", partner_org, Membership.Role.VIEWER)


@pytest.fixture
def other_editor(other_org):
    return _member("editor@iom.example", other_org, Membership.Role.EDITOR)


@pytest.fixture
def lead(pillar, lead_org):
    return _member("lead@dcaf.example", lead_org, Membership.Role.EDITOR)


@pytest.fixture
def other_lead(other_pillar, other_lead_org):
    return _member("lead@pccsee.example", other_lead_org, Membership.Role.EDITOR)


@pytest.fixture
def observer(observer_org):
    return _member("observer@coe.example", observer_org, Membership.Role.VIEWER)


@pytest.fixture
def support(db):
    user = UserFactory(email="support@iisg.example", full_name="Support Group officer")
    staff_role_set(actor=None, user=user, role=roles.SUPPORT_GROUP_STAFF)
    return user


@pytest.fixture
def secretariat(db):
    user = UserFactory(email="secretariat@brdo.example", full_name="Secretariat")
    staff_role_set(actor=None, user=user, role=roles.BOARD_SECRETARIAT)
    return user


@pytest.fixture
def client_for():
    """A test client signed in as the given user (or anonymous for None). A privileged persona (and anyone with an
    authenticator app) is signed in with its second factor verified, as after entering the app's code."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
            if needs_second_factor(user):
                verify_session(client, user)
        return client

    return make


@pytest.fixture
def celery_worker(_celery_worker_process):
    """A real Celery worker process on real Redis, reading the test database.

    Elsewhere tasks run eagerly in the test process (CELERY_TASK_ALWAYS_EAGER in the test settings); here
    they are sent through Redis to the worker. Tests that use it must commit their data (transactional_db
    or live_server): the worker is another process and sees only what is committed.
    """
    from iisg_portal.celery import app

    app.conf.task_always_eager = False
    try:
        yield _celery_worker_process
    finally:
        app.conf.task_always_eager = True


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connection_at_teardown(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any other connection to it. In full parallel runs one
    connection of the test process itself outlived the usual close at the end of the session (which closes
    this thread's connections only), and dropping the database failed with a warning."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    import os
    import subprocess
    import sys

    from django.conf import settings

    from tests.utils import database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iisg_portal.settings_test",
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_FILE_PATH": str(tmp_path_factory.mktemp("worker-mail")),
    }
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "iisg_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{settings.CELERY_TASK_DEFAULT_QUEUE}@%h",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    from tests.utils import wait_for

    try:
        wait_for(
            lambda: b" ready." in log_path.read_bytes() or process.poll() is not None,
            timeout=60,
            message="the Celery worker to start",
        )
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{log_path.read_text()}")
        process.log_path = log_path
        process.mail_dir = Path(env["EMAIL_FILE_PATH"])
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --- an activity entry and its donors (used by the ipas tests and the browser journeys) ---


@pytest.fixture
def donor(db):
    return OrganisationFactory(name="European Commission – DG NEAR", short_name="EU DG NEAR", type="eu_body")


@pytest.fixture
def other_donor(db):
    return OrganisationFactory(
        name="Austria – Federal Ministry of the Interior", short_name="AT BMI", type="third_state_donor"
    )


@pytest.fixture
def entry_data(objective, partner_org, donor, countries):
    """A valid activity snapshot, as the form produces it."""
    return {
        "title": "Regional training on financial investigations for prosecutors",
        "description": "Five-day course on following the money in terrorism financing cases.",
        "implementing_organisation": partner_org.pk,
        "planned_start": date(2026, 3, 1).isoformat(),
        "planned_end": date(2026, 12, 31).isoformat(),
        "actual_start": None,
        "actual_end": None,
        "status": "planned",
        "budget_eur": "200000.00",
        "contact": "",
        "links": "",
        "primary_objective": objective.pk,
        "additional_objectives": [],
        "beneficiaries": ["ME", "RS"],
        "themes": [],
        "fundings": [
            {
                "donor": donor.pk,
                "amount": "120000.00",
                "currency": "EUR",
                "amount_eur": "120000.00",
                "status": "committed",
                "instrument": "EU IPA II",
            },
        ],
    }


@pytest.fixture
def draft(editor, partner_org, entry_data):
    return activity_create(actor=editor, organisation=partner_org, data=entry_data)


@pytest.fixture
def back_to_the_latest_migration():
    """For tests that migrate backwards: whatever the test left, later tests need the latest schema."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
