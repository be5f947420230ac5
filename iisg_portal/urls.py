from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from iisg_portal.odd_input import admin_view_on_site
from iisg_portal.views import dashboard
from ipas.plans.urls import urlpatterns as pillar_pages
from pillars.urls import urlpatterns as pillar_leads

admin.site.site_header = "IISG Coordination Portal – administration"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("accounts/", include("partners.auth_urls")),
    path("organisations/", include("partners.urls")),
    # The pillar pages read iPAs (ipas); managing their Lead Partners is the pillars app's own.
    path("pillars/", include(([*pillar_pages, *pillar_leads], "pillars"))),
    path("activities/", include("ipas.urls")),
    path("board/", include("board.urls")),
    path("api/", include("ipas.api_urls")),
    # Before the admin's own route of that name: its shortcut fails (500) for models without a page.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(admin_view_on_site)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
