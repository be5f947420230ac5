from django.contrib import admin

from board.models import ActionPoint, AgendaItem, Decision, Meeting
from iisg_portal.kept_records import KeptRecordsAdmin


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


# A meeting's released packs stay (the database refuses to delete them): deleting the meeting is refused too.
@admin.register(Meeting)
class MeetingAdmin(KeptRecordsAdmin, admin.ModelAdmin):
    list_display = ["title", "body", "date", "place", "status"]
    list_filter = ["body", "status"]
    search_fields = ["title", "place"]
    inlines = [AgendaItemInline]
    filter_horizontal = ["participants"]


# A decision taken is corrected, never deleted: no "Delete" for it.
@admin.register(Decision)
class DecisionAdmin(KeptRecordsAdmin, admin.ModelAdmin):
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
