"""Routes of the pillar pages (namespace "pillars", wired with the pillars app's own by iisg_portal/urls.py)."""

from django.urls import path

from ipas.plans import views

urlpatterns = [
    path("", views.pillar_list, name="pillar_list"),
    path("<str:code>/", views.pillar_detail, name="pillar_detail"),
]
