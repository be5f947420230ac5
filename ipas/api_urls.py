"""The portal's API (included at /api/ by iisg_portal/urls.py, namespace "api")."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ipas.consult.api import ConsultAPIView

app_name = "api"

urlpatterns = [
    # DRF answers anonymous callers itself (403), instead of the sign-in redirect pages get.
    path("consult/", login_not_required(ConsultAPIView.as_view()), name="consult"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split variant of SpectacularSwaggerView serves its start-up script as a file of its own: the
    # portal's Content-Security-Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
