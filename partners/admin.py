"""The admin's pages for people, organisations and memberships.

Memberships, role groups and the rights they carry change only through partners.services (audited, and the
groups follow at once): the pages below call those services instead of saving rows themselves. A person's
groups are derived and shown read-only; roles held in person are ticked under "Staff roles".
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from partners import roles
from partners.models import ApiKey, Country, Membership, Organisation, User
from partners.services import (
    membership_remove,
    membership_set,
    organisation_create,
    organisation_update,
    staff_role_set,
)


def _membership_save(request, membership: Membership) -> None:
    """Save what the admin's form put in `membership` through the service (a changed person or organisation
    ends the stored membership first), and point the admin's object at the row kept."""
    saved = membership_set(
        actor=request.user,
        user=membership.user,
        organisation=membership.organisation,
        role=membership.role,
        replacing=membership,
    )
    membership.pk, membership.created_at = saved.pk, saved.created_at
    membership._state.adding = False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


class PortalUserChangeForm(UserChangeForm):
    staff_roles = forms.MultipleChoiceField(
        choices=[(role, role) for role in roles.STAFF_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Roles held in person. Partner roles and organisation groups follow the memberships below.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["staff_roles"].initial = list(
                self.instance.groups.filter(name__in=roles.STAFF_ROLES).values_list("name", flat=True)
            )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "groups"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "staff_roles", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    # Derived from memberships and staff roles; a group added by hand would outlive the role that justified it.
    readonly_fields = ["groups"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership_remove(actor=request.user, membership=membership)
        for membership in memberships:
            _membership_save(request, membership)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "staff_roles" not in form.cleaned_data:
            return  # the page that adds a person has no roles yet
        user = form.instance
        held = set(user.groups.filter(name__in=roles.STAFF_ROLES).values_list("name", flat=True))
        wanted = set(form.cleaned_data["staff_roles"])
        for role in sorted(wanted - held):
            staff_role_set(actor=request.user, user=user, role=role, member=True)
        for role in sorted(held - wanted):
            staff_role_set(actor=request.user, user=user, role=role, member=False)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_beneficiary"]
    list_filter = ["is_beneficiary"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "type", "participation", "country", "needs_review"]
    list_filter = ["type", "participation", "needs_review", "country"]
    search_fields = ["name", "short_name", "iati_identifier"]
    readonly_fields = ["group", "editors_group"]

    def save_model(self, request, obj, form, change):
        # Through the services: the groups and the members' partner roles follow (participation decides
        # whether members read as partners or as observers).
        if change:
            organisation_update(actor=request.user, organisation=obj)
            return
        created = organisation_create(actor=request.user, **form.cleaned_data)
        obj.pk, obj.group_id, obj.editors_group_id = created.pk, created.group_id, created.editors_group_id
        obj._state.adding = False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["organisation"]

    def save_model(self, request, obj, form, change):
        _membership_save(request, obj)

    def delete_model(self, request, obj):
        membership_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            membership_remove(actor=request.user, membership=membership)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by their holders only; here an administrator sees them and revokes a leaked one."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the audit trail keeps who used what

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        from partners.services import api_key_revoke

        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(actor=request.user, api_key=api_key)
            revoked += 1
        self.message_user(request, f"{revoked} key(s) revoked.")
