"""Odd input is answered with a 4xx, never a 500.

- A NUL byte in the address or the query string: no page has a use for one, and PostgreSQL refuses NUL in text, so
  the first lookup with it (or the audit context, which records the path) failed as a server error. In a form
  field it is a form error, so the person keeps what they typed: Django's fields refuse it themselves (CharField's
  ProhibitNullCharactersValidator, the model choice fields' own check) before any lookup.
- The admin's "view on site" shortcut (/admin/r/<content type>/<id>/) for a model without a page of its own: it
  queried the model first, and pghistory's Events (a view built per query) or a UUID key given a number failed.
"""

from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404

NUL = "\x00"


class RefuseNulMiddleware:
    """400 (Django's handler400) for a NUL byte in the path or in a name or value of the query string."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or any(
            NUL in name or any(NUL in value for value in values) for name, values in request.GET.lists()
        ):
            raise BadRequest("A NUL byte in the address: no page of the portal has a use for one.")
        return self.get_response(request)


def admin_view_on_site(request, content_type_id: int, object_id: str):
    """Django's shortcut, for the models that have a page (get_absolute_url) only; 404 for the others and for ids
    of the wrong shape."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not hasattr(model, "get_absolute_url"):
        raise Http404("Records of this kind have no page on the site.")
    try:
        return contenttype_views.shortcut(request, content_type_id, object_id)
    except ValidationError as exc:  # e.g. "12" for a UUID key
        raise Http404("No such record.") from exc
