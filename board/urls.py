from django.urls import path

from board import views

app_name = "board"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("<int:pk>/participants/", views.meeting_participants, name="meeting_participants"),
    path("<int:pk>/agenda/new/", views.agenda_item_create, name="agenda_item_create"),
    path("<int:pk>/agenda/<int:item_pk>/edit/", views.agenda_item_update, name="agenda_item_update"),
    path("<int:pk>/agenda/<int:item_pk>/move/", views.agenda_item_move, name="agenda_item_move"),
    path("<int:pk>/agenda/<int:item_pk>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path("<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("<int:pk>/decisions/<int:decision_pk>/edit/", views.decision_update, name="decision_update"),
    path("<int:pk>/decisions/<int:decision_pk>/correct/", views.decision_correct, name="decision_correct"),
    path("<int:pk>/action-points/new/", views.action_point_create, name="action_point_create"),
    path("<int:pk>/action-points/<int:point_pk>/edit/", views.action_point_update, name="action_point_update"),
    path("<int:pk>/packs/build/", views.pack_build, name="pack_build"),
    path("<int:pk>/packs/<int:version>/", views.pack_status, name="pack_status"),
    path("<int:pk>/packs/<int:version>/release/", views.pack_release, name="pack_release"),
    path("<int:pk>/packs/<int:version>/<str:fmt>/", views.pack_download, name="pack_download"),
]
