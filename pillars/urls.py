from django.urls import path

from pillars import views

urlpatterns = [
    path("<str:code>/leads/", views.pillar_leads_update, name="pillar_leads_update"),
]
