from django.urls import path

from ipas.imports import views

urlpatterns = [
    path("import/", views.import_upload, name="activity_import"),
    path("import/<int:pk>/", views.import_detail, name="activity_import_detail"),
]
