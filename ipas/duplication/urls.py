from django.urls import path

from ipas.duplication import views

urlpatterns = [
    path("duplication/", views.duplication_report, name="duplication_report"),
    path("duplication/run/", views.duplication_run, name="duplication_run"),
    path("duplication/runs/<int:pk>/progress/", views.duplication_progress, name="duplication_progress"),
    path("duplication/export.<str:fmt>", views.duplication_export, name="duplication_export"),
    path("duplication/exports/<int:pk>/", views.duplication_export_detail, name="duplication_export_detail"),
    path(
        "duplication/exports/<int:pk>/download/",
        views.duplication_export_download,
        name="duplication_export_download",
    ),
    path("duplication/flags/<int:pk>/", views.flag_detail, name="duplicate_flag"),
    path("duplication/flags/<int:pk>/resolve/", views.flag_resolve, name="duplicate_flag_resolve"),
    path("duplication/flags/<int:pk>/reopen/", views.flag_reopen, name="duplicate_flag_reopen"),
    path("duplication/mine/", views.my_flags, name="duplication_mine"),
]
