"""Writes for organisations, memberships and roles. Every state change goes through here."""

import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from iisg_portal.audit import audited
from iisg_portal.errors import PortalError
from iisg_portal.permissions import actor_require
from partners import roles
from partners.models import ApiKey, Membership, Organisation, User


def roles_ensure() -> None:
    """Create the role groups and give them exactly their permissions. Safe to run again."""
    for group_name, perm_names in roles.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def organisation_group_ensure(organisation: Organisation) -> Group:
    """The organisation's members' group (and its editors' group, made with it)."""
    if organisation.group_id is None:
        organisation.group, _ = Group.objects.get_or_create(name=f"Organisation {organisation.pk}")
        organisation.save(update_fields=["group"])
    organisation_editors_group_ensure(organisation)
    return organisation.group


def organisation_editors_group_ensure(organisation: Organisation) -> Group:
    """The group of the organisation's editor members: Lead Partner rights are granted to it, not to the
    members' group, because a viewer member of a lead organisation only reads."""
    if organisation.editors_group_id is None:
        organisation.editors_group, _ = Group.objects.get_or_create(name=f"Organisation {organisation.pk} editors")
        organisation.save(update_fields=["editors_group"])
    return organisation.editors_group


def organisation_create(*, actor: User | None, **fields) -> Organisation:
    with transaction.atomic(), audited(actor, "organisation_create"):
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
        organisation_group_ensure(organisation)
    return organisation


def organisation_update(*, actor: User | None, organisation: Organisation, **fields) -> Organisation:
    with transaction.atomic(), audited(actor, "organisation_update"):
        for name, value in fields.items():
            setattr(organisation, name, value)
        organisation.full_clean()
        organisation.save()
        # Participation decides whether members read as partners or as observers.
        for membership in organisation.memberships.select_related("user"):
            _user_role_groups_sync(membership.user)
    return organisation


def _user_role_groups_sync(user: User) -> None:
    """Derive a user's partner role groups and organisation groups from their memberships, as they are now."""
    role_groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ROLE_PERMISSIONS}
    partner_roles = {roles.PARTNER_EDITORS, roles.PARTNER_VIEWERS, roles.OBSERVERS}
    wanted: set[str] = set()
    org_groups = []
    for membership in user.memberships.select_related("organisation"):
        org_groups.append(organisation_group_ensure(membership.organisation))
        if membership.role == Membership.Role.EDITOR:
            org_groups.append(organisation_editors_group_ensure(membership.organisation))
        if membership.organisation.participation == Organisation.Participation.OBSERVER:
            wanted.add(roles.OBSERVERS)
        elif membership.role == Membership.Role.EDITOR:
            wanted.add(roles.PARTNER_EDITORS)
        else:
            wanted.add(roles.PARTNER_VIEWERS)
    user.groups.remove(*[role_groups[name] for name in partner_roles - wanted])
    user.groups.add(*[role_groups[name] for name in wanted])
    # Organisation groups (members' and editors'): exactly those of the user's memberships.
    stale = (
        user.groups.filter(Q(organisation__isnull=False) | Q(editors_of_organisation__isnull=False))
        .exclude(pk__in=[g.pk for g in org_groups])
        .distinct()
    )
    user.groups.remove(*stale)
    user.groups.add(*org_groups)
    _user_rights_forget(user)


def _user_rights_forget(user: User) -> None:
    """Drop the rights cached on the user object (Django's permission caches, led_pillar_ids): a change of
    groups counts from now on, even later in the same request."""
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_led_pillar_ids"):
        user.__dict__.pop(cache, None)


def membership_set(
    *, actor: User | None, user: User, organisation: Organisation, role: str, replacing: Membership | None = None
) -> Membership:
    """Make `user` a member of `organisation` with `role` (editor or viewer).

    With `replacing` (a membership as it is stored, e.g. one edited in the admin), that membership becomes this
    one: if its person or organisation differs, it ends first, and with it every right it gave.
    """
    actor_require(actor, "partners.change_membership", "You may not change memberships.", system=True)
    with transaction.atomic(), audited(actor, "membership_set"):
        if replacing is not None and replacing.pk is not None:
            stored = Membership.objects.select_related("user").filter(pk=replacing.pk).first()
            if stored is not None and (stored.user_id, stored.organisation_id) != (user.pk, organisation.pk):
                former = stored.user
                stored.delete()
                _user_role_groups_sync(former)
        membership, _ = Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        _user_role_groups_sync(user)
    return membership


def membership_remove(*, actor: User | None, membership: Membership) -> None:
    """End a membership, and with it the groups and the pillar rights it gave, at once."""
    actor_require(actor, "partners.delete_membership", "You may not end memberships.", system=True)
    with transaction.atomic(), audited(actor, "membership_remove"):
        user = membership.user
        membership.delete()
        _user_role_groups_sync(user)


def staff_role_set(*, actor: User | None, user: User, role: str, member: bool = True) -> None:
    """Add a user to (or remove from) a role held in person: Support Group staff, Board secretariat or
    Board members. Partner roles are not set here: they follow memberships (membership_set)."""
    if role not in roles.STAFF_ROLES:
        raise ValueError(f"{role!r} is not a staff role")
    actor_require(actor, "partners.change_user", "You may not change people's roles.", system=True)
    with transaction.atomic(), audited(actor, "staff_role_set"):
        group, _ = Group.objects.get_or_create(name=role)
        (user.groups.add if member else user.groups.remove)(group)
        _user_rights_forget(user)


# --- API keys -------------------------------------------------------------------------------------------

API_KEY_PREFIX = "iisg_"
#: Keys a person may hold at once (revoked ones aside).
MAX_ACTIVE_API_KEYS = 5


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_issue(*, actor: User, name: str) -> tuple[ApiKey, str]:
    """A new key for `actor`'s scripts: returns the key record and the key itself, which is not kept."""
    name = name.strip()
    if not name:
        raise PortalError("Say what the key is for.", field="name")
    if not actor.has_perm("ipas.consult_activities"):
        raise PortalError("Your role does not use the API.")
    with transaction.atomic(), audited(actor, "api_key_issue"):
        User.objects.select_for_update().get(pk=actor.pk)  # one issue at a time per person: the count holds
        if actor.api_keys.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_API_KEYS:
            raise PortalError(f"You hold {MAX_ACTIVE_API_KEYS} keys already: revoke one you no longer use.")
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        record = ApiKey.objects.create(user=actor, name=name, prefix=key[:12], digest=api_key_digest(key))
        from partners.tasks import api_key_made_notice

        # The holder hears of every new key: one made by someone who had their password shows up at once.
        transaction.on_commit(lambda: api_key_made_notice.delay(record.pk), robust=True)
    return record, key


def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke a key: its holder, or an administrator (who may change keys) when it leaked."""
    if api_key.user_id != actor.pk and not actor.has_perm("partners.change_apikey"):
        raise PortalError("Only its holder or an administrator revokes a key.")
    with transaction.atomic(), audited(actor, "api_key_revoke"):
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not revoked:
            raise PortalError("This key is already revoked.")
    api_key.refresh_from_db()
    return api_key


def api_keys_revoke_all(*, actor: User | None, user: User) -> int:
    """Revoke every active key of `user` (after a password reset: whoever had the password may have made some)."""
    with transaction.atomic(), audited(actor, "api_keys_revoke_all"):
        return user.api_keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Second factor (django-otp) ---------------------------------------------------------------------------

#: Single-use recovery codes made with each authenticator app (and when asked for new ones).
RECOVERY_CODE_COUNT = 10


def second_factor_start(*, actor: User) -> TOTPDevice:
    """The authenticator app `actor` is setting up: the same unconfirmed one until confirmed, so reloading the
    set-up page shows the same QR code."""
    with transaction.atomic(), audited(actor, "second_factor_start"):
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name="Authenticator app", confirmed=False)
    return device


def second_factor_confirm(*, actor: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app `actor` set up with a code it shows: it replaces any earlier app, and comes with new
    recovery codes, returned to be shown once (their earlier ones stop working)."""
    if device.user_id != actor.pk or device.confirmed:
        raise PortalError("This set-up is no longer open: start again.")
    # Outside the write below: a wrong code must stay counted (django-otp's growing wait) when it is refused.
    if verify_token(actor, device.persistent_id, _code_normalised(code)) is None:
        raise PortalError("That is not the code your app shows now: check the app's clock and try again.", field="code")
    with transaction.atomic(), audited(actor, "second_factor_confirm"):
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = _recovery_codes_replace(actor)
    device.refresh_from_db()
    return codes


def second_factor_check(*, actor: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts `code` for `actor` (its app's current code, or a recovery code, used up by this),
    or None. A device refusing too many wrong codes in a row makes the person wait, longer each time."""
    code = _code_normalised(code)
    # Six digits are the app's; anything else is a recovery code. Trying both would count a failure on the other.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in model.objects.devices_for_user(actor, confirmed=True):
        allowed, detail = device.verify_is_allowed()
        if not allowed and detail and "locked_until" in detail:
            until = timezone.localtime(detail["locked_until"])
            raise PortalError(f"Too many wrong codes in a row: try again after {until:%H:%M:%S}.", field="code")
        with transaction.atomic(), audited(actor, "second_factor_check"):
            verified = verify_token(actor, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def recovery_codes_renew(*, actor: User) -> list[str]:
    """New recovery codes for `actor` (the old ones stop working), returned to be shown once."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise PortalError("Set up an authenticator app first: recovery codes come with it.")
    with transaction.atomic(), audited(actor, "recovery_codes_renew"):
        return _recovery_codes_replace(actor)


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _code_normalised(code: str) -> str:
    # As people copy codes: with spaces or dashes in groups, in any case.
    return "".join(code.split()).replace("-", "").lower()
