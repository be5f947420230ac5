from django.urls import path

from ipas.review import views

urlpatterns = [
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
]
