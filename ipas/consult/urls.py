from django.urls import path

from ipas.consult import views

urlpatterns = [
    path("consult/", views.consult_view, name="consult"),
    path("consult/log/", views.consultation_list, name="consultation_list"),
    path("consult/log/<int:pk>/", views.consultation_detail, name="consultation_detail"),
]
