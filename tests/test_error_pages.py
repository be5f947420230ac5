"""Error pages in the portal's layout, each saying what to do next (issue 12, item 13). The suite runs with DEBUG
off, as production does; `make run` keeps DEBUG on for developers, who see Django's technical pages there."""

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import path, reverse

from iisg_portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


# The portal's routes and one that fails (tests.test_error_pages as ROOT_URLCONF).
urlpatterns = [path("boom/", boom), *portal_urlpatterns]


def in_the_layout(body: str) -> bool:
    return "IISG Coordination Portal" in body and "vendor/bootstrap/bootstrap.min.css" in body and "<footer" in body


def test_debug_is_off_in_the_tests():
    assert settings.DEBUG is False


def test_404_in_the_layout_for_a_signed_in_user(client_for, editor):
    for url in ["/no-such-page/", reverse("ipas:activity_detail", args=[999999])]:
        response = client_for(editor).get(url)
        assert response.status_code == 404
        assert "404.html" in [t.name for t in response.templates]
        body = response.content.decode()
        assert in_the_layout(body)
        assert "Page not found" in body and "What next" in body
        assert 'data-testid="nav"' in body  # the navigation, to carry on


def test_404_for_someone_signed_out_points_to_the_sign_in(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert f'href="{reverse("login")}"' in response.content.decode()


def test_403_in_the_layout(client_for, editor):
    response = client_for(editor).get(reverse("partners:organisation_create"))
    assert response.status_code == 403
    body = response.content.decode()
    assert in_the_layout(body)
    assert "You may not do this" in body and "editor@undp.example" in body and "What next" in body


def test_an_expired_form_is_a_403_in_the_layout(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x@y.example", "password": "z"})
    assert response.status_code == 403
    body = response.content.decode()
    assert in_the_layout(body)
    assert "This form has expired" in body and "What next" in body


def test_500_needs_no_context():
    # Django renders it with no context at all (django.views.defaults.server_error).
    body = loader.get_template("500.html").render()
    assert in_the_layout(body)
    assert "Something went wrong on our side" in body and "What next" in body


@pytest.mark.urls("tests.test_error_pages")
def test_500_in_the_layout(client_for, editor):
    client = client_for(editor)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert in_the_layout(body)
    assert "Something went wrong on our side" in body
    assert "a bug" not in body and "Traceback" not in body
