"""The admin side of records the portal keeps (iisg_portal.audit.KeptRecord): an approved activity, a decision
taken and a released meeting pack are withdrawn or corrected, never deleted. The database refuses; the admin
hides "Delete" for them and answers a refusal (of the row or of a row a delete would cascade to) with a message,
not a server error, and records nothing as deleted."""

from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import IntegrityError, router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from iisg_portal.audit import is_kept_record_refusal

KEPT = "it is a record the portal keeps, or holds one: withdraw or correct it instead"


def _must_be_kept(obj) -> bool:
    return bool(getattr(obj, "must_be_kept", False))


class KeptRecordsAdmin:
    """ModelAdmin mixin, before admin.ModelAdmin in the bases. The model may say which rows stay (`must_be_kept`);
    the database has the last word either way."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _must_be_kept(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and _must_be_kept(obj):
            return self._not_deleted(request, obj)
        try:
            # Its own transaction rolls back with the refusal, the admin's log of the deletion included.
            return super().delete_view(request, object_id, extra_context)
        except IntegrityError as error:
            if obj is None or not is_kept_record_refusal(error):
                raise
            return self._not_deleted(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_keeping_records, name, description)
        return actions

    def _not_deleted(self, request, obj):
        self.message_user(request, f"“{obj}” was not deleted: {KEPT}.", messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))


def delete_selected_keeping_records(modeladmin, request, queryset):
    """Django's "Delete selected", refusing with a message when a selected row, or a row the delete would
    cascade to, is a record the portal keeps."""
    kept = [str(obj) for obj in queryset if _must_be_kept(obj)]
    if kept:
        modeladmin.message_user(request, f"Nothing was deleted: {', '.join(kept)}: {KEPT}.", messages.ERROR)
        return None
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except IntegrityError as error:
        if not is_kept_record_refusal(error):
            raise
        modeladmin.message_user(request, f"Nothing was deleted: {KEPT}.", messages.ERROR)
        return None
