from django.urls import path

from pillars import views

app_name = "pillars"
urlpatterns = [
    path("", views.pillar_list, name="pillar_list"),
    path("<str:code>/", views.pillar_detail, name="pillar_detail"),
    path("<str:code>/leads/", views.pillar_leads_update, name="pillar_leads_update"),
]
