"""Helpers shared by the apps' HTML views: a global permission check, and a service call whose PortalError is
shown to the person (on the form, or as a message) instead of failing the request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from iisg_portal.errors import PortalError

T = TypeVar("T")


def permission_required_or_403(perm: str):
    """View decorator: a signed-in user without the global permission `perm` gets 403.

    Anonymous users never get here: LoginRequiredMiddleware sends them to sign in first (as for every view not
    marked @login_not_required). Where the service checks the actor's right too, this only chooses the status code.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def form_error(form, error: PortalError | ValidationError) -> None:
    """Put a service's error on `form`: on the field it names when the form has that field, else on the form."""
    if isinstance(error, PortalError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if not hasattr(error, "error_dict"):  # raised without naming fields
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def call_service(request, call: Callable[[], T], *, form=None, success: str = "") -> tuple[bool, T | None]:
    """Run `call` (a service call); a PortalError goes on `form` (see form_error) or, without a form, into the
    messages. On success the `success` message, if any, is added. Returns (True, result) or (False, None)."""
    try:
        result = call()
    except PortalError as error:
        if form is not None:
            form_error(form, error)
        else:
            messages.error(request, error.message)
        return False, None
    if success:
        messages.success(request, success)
    return True, result
