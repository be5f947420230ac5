"""Routes of the ipas app (namespace "ipas", under /activities/): each feature keeps its own."""

from ipas.activities.urls import urlpatterns as activities
from ipas.consult.urls import urlpatterns as consult
from ipas.duplication.urls import urlpatterns as duplication
from ipas.imports.urls import urlpatterns as imports
from ipas.review.urls import urlpatterns as review

app_name = "ipas"
urlpatterns = [*activities, *review, *duplication, *consult, *imports]
