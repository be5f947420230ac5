from django.contrib import admin
from django.http import Http404
from django.urls import re_path

from pillars.models import CrossCuttingTheme, Pillar


def _object_permission_pages_gone(request, *args, **kwargs):
    raise Http404("A pillar's rights are not edited in the admin.")


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    # A plain ModelAdmin, not guardian's GuardedModelAdmin: its object-permission pages granted review rights
    # to anyone, unaudited. Lead Partners (and the rights that go with them) are changed on the portal's
    # "Lead Partners" page of the pillar (pillars.services.pillar_leads_set), the one way.
    list_display = ["code", "name", "lead_organisation", "order"]
    search_fields = ["code", "name"]
    readonly_fields = ["lead_organisation", "co_lead_organisations"]

    def get_urls(self):
        # guardian's old addresses answer a plain 404 rather than the admin's redirect for an unknown object.
        return [re_path(r"^[^/]+/permissions/", _object_permission_pages_gone), *super().get_urls()]


@admin.register(CrossCuttingTheme)
class CrossCuttingThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
