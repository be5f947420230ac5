from django.urls import path  # noqa: F401

from ipas.duplication_urls import urlpatterns as duplication_urlpatterns

app_name = "ipas"
urlpatterns: list = [
    *duplication_urlpatterns,
]
