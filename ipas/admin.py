from django.contrib import admin

from ipas.models import (
    Activity,
    ActivityObjective,
    Funding,
    FundingNeed,
    Indicator,
    IntegratedPlanOfAction,
    Objective,
)


class ServiceWritesOnly:
    """Read-only in the admin: the services write these rows (ipas/activities, ipas/imports). A save here would
    skip the version bump, the duplication check and the review, and record no service for the audit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntegratedPlanOfAction)
class IntegratedPlanOfActionAdmin(admin.ModelAdmin):
    list_display = ["title", "pillar", "period_start", "period_end", "status"]
    list_filter = ["pillar", "status"]
    search_fields = ["title"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "ipa"]
    list_filter = ["ipa__pillar", "ipa"]
    search_fields = ["code", "title"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "objective", "unit", "baseline", "target", "latest_value"]
    list_filter = ["objective__ipa__pillar"]
    search_fields = ["name"]


class ActivityObjectiveInline(ServiceWritesOnly, admin.TabularInline):
    model = ActivityObjective
    extra = 0
    autocomplete_fields = ["objective"]


class FundingInline(ServiceWritesOnly, admin.TabularInline):
    model = Funding
    extra = 0
    autocomplete_fields = ["donor"]


@admin.register(Activity)
class ActivityAdmin(ServiceWritesOnly, admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "approval_state", "planned_start", "budget_eur"]
    list_filter = ["approval_state", "status", "objectives__ipa__pillar", "beneficiaries"]
    search_fields = ["title", "description", "external_id"]
    autocomplete_fields = ["organisation", "implementing_organisation"]
    filter_horizontal = ["beneficiaries", "themes"]
    inlines = [ActivityObjectiveInline, FundingInline]
    list_select_related = ["organisation"]


@admin.register(Funding)
class FundingAdmin(ServiceWritesOnly, admin.ModelAdmin):
    list_display = ["activity", "donor", "amount", "currency", "amount_eur", "status", "instrument"]
    list_filter = ["status", "currency"]
    search_fields = ["activity__title", "donor__name", "instrument"]
    autocomplete_fields = ["activity", "donor"]


@admin.register(FundingNeed)
class FundingNeedAdmin(admin.ModelAdmin):
    list_display = ["objective", "amount_eur", "period_start", "period_end"]
    list_filter = ["objective__ipa__pillar"]
    search_fields = ["objective__title"]
