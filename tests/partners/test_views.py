import pytest
from django.urls import reverse

from partners.models import Organisation


def test_sign_in_with_email_address(client, editor):
    response = client.post(
        reverse("login"), {"username": "EDITOR@undp.example", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_wrong_password_is_refused_with_a_message(client, editor):
    response = client.post(reverse("login"), {"username": "editor@undp.example", "password": "wrong"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode().replace("e-mail", "email")


def test_password_reset_sends_an_email(client, editor, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "editor@undp.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_organisation_directory_is_paginated_and_filtered(client_for, editor):
    from tests.partners.factories import OrganisationFactory

    for n in range(30):
        OrganisationFactory(name=f"Ministry {n:02d}", type=Organisation.Type.NATIONAL_AUTHORITY)
    client = client_for(editor)
    page = client.get(reverse("partners:organisation_list"), {"type": "national_authority"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 30
    assert len(page.context["page"].object_list) == 25
    assert "Ministry 00" in page.content.decode()
    assert client.get(reverse("partners:organisation_list"), {"q": "Ministry 07"}).context["page"].paginator.count == 1


def test_support_staff_create_an_organisation_with_its_group(client_for, support):
    response = client_for(support).post(
        reverse("partners:organisation_create"),
        {"name": "Frontex", "short_name": "Frontex", "type": "eu_body", "participation": "partner"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Frontex")
    assert organisation.group is not None


def test_organisation_form_errors_keep_the_input(client_for, support, partner_org):
    response = client_for(support).post(
        reverse("partners:organisation_create"),
        {"name": partner_org.name, "short_name": "typed", "type": "eu_body", "participation": "partner"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="typed"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_kosovo_is_shown_with_its_footnote(client_for, editor):
    from partners.models import KOSOVO_FOOTNOTE
    from tests.partners.factories import CountryFactory, OrganisationFactory

    kosovo = CountryFactory(code="XK", name="Kosovo", footnote=KOSOVO_FOOTNOTE)
    organisation = OrganisationFactory(name="Ministry of Internal Affairs", country=kosovo)
    html = client_for(editor).get(reverse("partners:organisation_detail", args=[organisation.pk])).content.decode()
    assert "Kosovo*" in html
    assert "UNSCR 1244/1999" in html


def test_support_staff_list_the_organisations_an_import_created_to_check_them(client_for, support):
    from tests.partners.factories import OrganisationFactory

    OrganisationFactory(name="Ministry of Interior of Montenegro")
    created = OrganisationFactory(name="Regional Anti-Corruption Initiative", needs_review=True)
    response = client_for(support).get(reverse("partners:organisation_list"), {"needs_review": "on"})
    assert [o.pk for o in response.context["page"]] == [created.pk]
    assert "needs review" in response.content.decode()
