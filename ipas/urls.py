from django.urls import path, re_path

from ipas.duplication_urls import urlpatterns as duplication_urlpatterns
from ipas.views import activities, review

app_name = "ipas"
urlpatterns = [
    path("", activities.activity_list, name="activity_list"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", activities.activity_export, name="activity_export"),
    path("new/", activities.activity_create, name="activity_create"),
    path("<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("<int:pk>/edit/", activities.activity_update, name="activity_update"),
    path("<int:pk>/duplicate/", activities.activity_duplicate, name="activity_duplicate"),
    path("<int:pk>/submit/", activities.activity_submit, name="activity_submit"),
    path("<int:pk>/withdraw/", activities.activity_withdraw, name="activity_withdraw"),
    path("reviews/", review.review_queue, name="review_queue"),
    path("reviews/<int:pk>/", review.review_detail, name="review_detail"),
    *duplication_urlpatterns,
]
