"""The admin shows activities and their funding but never writes them: the services own those writes."""

import pytest
from django.urls import reverse

from ipas.models import Activity, Funding


@pytest.fixture
def admin_client(client_for, django_user_model):
    superuser = django_user_model.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")
    return client_for(superuser)


def test_a_superuser_reads_an_activity_in_the_admin_but_cannot_change_add_or_delete_one(admin_client, draft):
    before = Activity.objects.filter(pk=draft.pk).values().get()
    change = reverse("admin:ipas_activity_change", args=[draft.pk])
    response = admin_client.get(change)
    assert response.status_code == 200 and draft.title in response.content.decode()
    assert not response.context["has_change_permission"]

    response = admin_client.post(change, {"title": "Changed in the admin", "status": "ongoing", "_save": "Save"})
    assert response.status_code == 403
    assert Activity.objects.filter(pk=draft.pk).values().get() == before

    assert admin_client.get(reverse("admin:ipas_activity_add")).status_code == 403
    assert admin_client.post(reverse("admin:ipas_activity_delete", args=[draft.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(
        reverse("admin:ipas_activity_changelist"), {"action": "delete_selected", "_selected_action": [draft.pk]}
    )
    assert Activity.objects.filter(pk=draft.pk).exists()


def test_funding_lines_are_read_only_in_the_admin_too(admin_client, draft):
    funding = draft.fundings.get()
    change = reverse("admin:ipas_funding_change", args=[funding.pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, {"amount": "1", "amount_eur": "1", "currency": "EUR"})
    assert response.status_code == 403
    assert Funding.objects.get(pk=funding.pk).amount == funding.amount
    assert admin_client.get(reverse("admin:ipas_funding_add")).status_code == 403
