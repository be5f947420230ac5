from django.urls import path, re_path

from ipas.activities import views

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.activity_export, name="activity_export"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", views.activity_update, name="activity_update"),
    path("<int:pk>/duplicate/", views.activity_duplicate, name="activity_duplicate"),
    path("<int:pk>/submit/", views.activity_submit, name="activity_submit"),
    path("<int:pk>/withdraw/", views.activity_withdraw, name="activity_withdraw"),
]
