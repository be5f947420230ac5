"""Routes of duplication reports, consultation and imports (included by ipas/urls.py, namespace "ipas")."""

from django.urls import path

from ipas.views import consult, duplication, imports

urlpatterns: list = [
    path("duplication/", duplication.duplication_report, name="duplication_report"),
    path("duplication/run/", duplication.duplication_run, name="duplication_run"),
    path("duplication/runs/<int:pk>/progress/", duplication.duplication_progress, name="duplication_progress"),
    path("duplication/export.<str:fmt>", duplication.duplication_export, name="duplication_export"),
    path("duplication/exports/<int:pk>/", duplication.duplication_export_detail, name="duplication_export_detail"),
    path(
        "duplication/exports/<int:pk>/download/",
        duplication.duplication_export_download,
        name="duplication_export_download",
    ),
    path("duplication/flags/<int:pk>/", duplication.flag_detail, name="duplicate_flag"),
    path("duplication/flags/<int:pk>/resolve/", duplication.flag_resolve, name="duplicate_flag_resolve"),
    path("duplication/flags/<int:pk>/reopen/", duplication.flag_reopen, name="duplicate_flag_reopen"),
    path("duplication/mine/", duplication.my_flags, name="duplication_mine"),
    path("consult/", consult.consult_view, name="consult"),
    path("consult/log/", consult.consultation_list, name="consultation_list"),
    path("consult/log/<int:pk>/", consult.consultation_detail, name="consultation_detail"),
    path("import/", imports.import_upload, name="activity_import"),
    path("import/<int:pk>/", imports.import_detail, name="activity_import_detail"),
]
