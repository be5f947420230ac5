from django.contrib import admin

from board.models import ActionPoint, AgendaItem, Decision, Meeting


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "date", "place", "status"]
    list_filter = ["body", "status"]
    search_fields = ["title", "place"]
    inlines = [AgendaItemInline]
    filter_horizontal = ["participants"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "meeting", "status"]
    list_filter = ["status", "year"]
    search_fields = ["text"]


@admin.register(ActionPoint)
class ActionPointAdmin(admin.ModelAdmin):
    list_display = ["text", "responsible", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["text", "responsible__name"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "order", "pillar"]
    search_fields = ["title"]
