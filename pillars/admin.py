from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from pillars.models import CrossCuttingTheme, Pillar


@admin.register(Pillar)
class PillarAdmin(GuardedModelAdmin):
    list_display = ["code", "name", "lead_organisation", "order"]
    search_fields = ["code", "name"]
    # Lead Partners are changed on the pillar page, where the rights move with them.
    readonly_fields = ["lead_organisation", "co_lead_organisations"]


@admin.register(CrossCuttingTheme)
class CrossCuttingThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
