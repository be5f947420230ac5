"""The views' shared helpers (iisg_portal/web.py): the permission decorator and the service call."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from iisg_portal.errors import PortalError
from iisg_portal.web import call_service, form_error, permission_required_or_403


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request):
    return [(m.level_tag, m.message) for m in get_messages(request)]


class NameForm(forms.Form):
    name = forms.CharField()


def _bound_form():
    form = NameForm({"name": "x"})
    assert form.is_valid()
    return form


@permission_required_or_403("ipas.run_duplication_report")
def staff_page(request, pk):
    return HttpResponse(f"page {pk}")


def test_the_decorator_lets_through_only_holders_of_the_permission(support, editor):
    assert staff_page(_request(support), pk=3).content == b"page 3"
    with pytest.raises(PermissionDenied):
        staff_page(_request(editor), pk=3)
    assert staff_page.__name__ == "staff_page"


def test_a_decorated_page_sends_anonymous_visitors_to_sign_in_and_refuses_others(client_for, editor, support):
    url = reverse("ipas:duplication_report")
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={url}"
    assert client_for(editor).get(url).status_code == 403
    assert client_for(support).get(url).status_code == 200


def test_a_successful_call_returns_its_result_and_says_so(editor):
    request = _request(editor)
    assert call_service(request, lambda: 42, success="Saved.") == (True, 42)
    assert _messages(request) == [("success", "Saved.")]
    request = _request(editor)
    assert call_service(request, lambda: None) == (True, None)
    assert _messages(request) == []


def test_a_refusal_without_a_form_becomes_an_error_message(editor):
    request = _request(editor)

    def refuse():
        raise PortalError("Not now.", field="name")

    assert call_service(request, refuse, success="Saved.") == (False, None)
    assert _messages(request) == [("error", "Not now.")]


@pytest.mark.parametrize(
    ("field", "where"), [("name", "name"), (None, "__all__"), ("not_a_field_of_this_form", "__all__")]
)
def test_a_refusal_goes_on_the_form_on_its_field_if_the_form_has_it(editor, field, where):
    request, form = _request(editor), _bound_form()

    def refuse():
        raise PortalError("Taken already.", field=field)

    assert call_service(request, refuse, form=form, success="Saved.") == (False, None)
    assert form.errors == {where: ["Taken already."]}
    assert _messages(request) == []


def test_other_errors_are_not_swallowed(editor):
    def broken():
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        call_service(_request(editor), broken)


def test_model_validation_errors_go_on_the_form_too():
    form = _bound_form()
    form_error(form, ValidationError({"name": "Too short.", "budget": "Not a number."}))
    assert form.errors == {"name": ["Too short."], "__all__": ["Not a number."]}
    form = _bound_form()
    form_error(form, ValidationError("Not allowed."))
    assert form.errors == {"__all__": ["Not allowed."]}
