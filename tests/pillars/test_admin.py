"""The pillar's admin pages: no door to object permissions (Lead Partner rights move with pillar_leads_set only)."""

import pytest
from django.urls import reverse

from pillars.models import PillarGroupObjectPermission, PillarUserObjectPermission


@pytest.fixture
def admin_client(client_for, django_user_model):
    superuser = django_user_model.objects.create_superuser(email="admin@iisg.example", password="x-long-admin-pass-1")
    return client_for(superuser)


def test_guardians_object_permission_pages_for_pillars_are_gone(admin_client, pillar, support, lead_org):
    base = reverse("admin:pillars_pillar_change", args=[pillar.pk]).removesuffix("change/")
    before = set(PillarGroupObjectPermission.objects.values_list("group_id", "permission_id", "content_object_id"))
    for path in (
        "permissions/",
        f"permissions/user-manage/{support.pk}/",
        f"permissions/group-manage/{lead_org.group_id}/",
    ):
        assert admin_client.get(base + path).status_code == 404, path
    response = admin_client.post(
        base + "permissions/", {"user": support.email, "submit_manage_user": "Manage user"}, follow=True
    )
    assert response.status_code == 404
    admin_client.post(base + f"permissions/user-manage/{support.pk}/", {"permissions": ["review_entries"]})
    assert not PillarUserObjectPermission.objects.exists()
    after = set(PillarGroupObjectPermission.objects.values_list("group_id", "permission_id", "content_object_id"))
    assert after == before


def test_the_pillar_admin_page_still_opens_and_leaves_the_leads_alone(admin_client, pillar, lead_org, other_org):
    change = reverse("admin:pillars_pillar_change", args=[pillar.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert f"pillar/{pillar.pk}/permissions/" not in response.content.decode()  # no "Object permissions" button
    response = admin_client.post(
        change, {"code": pillar.code, "name": "Renamed", "order": 1, "lead_organisation": other_org.pk}
    )
    assert response.status_code == 302
    pillar.refresh_from_db()
    assert (pillar.name, pillar.lead_organisation_id) == ("Renamed", lead_org.pk)
