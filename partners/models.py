import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.db import models
from django.db.models.functions import Lower
from pghistory.models import Context

KOSOVO_FOOTNOTE = (
    "This designation is without prejudice to positions on status, and is in line with "
    "UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence."
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        # People type their address in any case; it is stored lower-case and unique regardless of case.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


# Who belongs to which group, and which global permissions a user or group holds, decide what each person may do:
# every change is an audit event. Django's default many-to-many tables are tracked through proxies, the way
# pgtrigger puts their triggers in this app's migrations; the link's own id means nothing once removed.
@pghistory.track(obj_field=None)
class UserGroup(User.groups.through):
    class Meta:
        proxy = True


@pghistory.track(obj_field=None)
class UserPermission(User.user_permissions.through):
    class Meta:
        proxy = True


@pghistory.track(obj_field=None)
class GroupPermission(Group.permissions.through):
    class Meta:
        proxy = True


class AuditContext(Context):
    """pghistory's contexts: who did what, through which service, shared by the events of one transaction.
    The event tables refuse UPDATE and DELETE (PGHISTORY_APPEND_ONLY); a context is never deleted either.
    pghistory itself updates a context within its transaction, when a nested `pghistory.context` adds to it."""

    class Meta:
        proxy = True
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Delete)]


@pghistory.track()
class Country(models.Model):
    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2 (XK for Kosovo*).")
    name = models.CharField(max_length=100)
    is_beneficiary = models.BooleanField(default=False)
    footnote = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_iso")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        # Kosovo carries an asterisk pointing at the EU's standard footnote.
        return f"{self.name}*" if self.footnote else self.name


@pghistory.track()
class Organisation(models.Model):
    class Type(models.TextChoices):
        NATIONAL_AUTHORITY = "national_authority", "National authority"
        INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
        THIRD_STATE_DONOR = "third_state_donor", "Third-state donor"
        EU_BODY = "eu_body", "EU agency / institution"
        REGIONAL_INITIATIVE = "regional_initiative", "Regional initiative"
        NGO = "ngo", "NGO"

    class Participation(models.TextChoices):
        PARTNER = "partner", "IISG Partner"
        AD_HOC = "ad_hoc", "Ad hoc"
        OBSERVER = "observer", "Observer"

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=32, choices=Type.choices)
    participation = models.CharField(max_length=16, choices=Participation.choices, default=Participation.PARTNER)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations")
    iati_identifier = models.CharField("IATI organisation identifier", max_length=100, blank=True)
    website = models.URLField(blank=True)
    needs_review = models.BooleanField(default=False, help_text="Created by an import; check before relying on it.")
    # Every organisation's members are one group, so rights are granted to the group, never to a person.
    group = models.OneToOneField(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisation")
    # Its editor members only: Lead Partner rights on a pillar go to this group (a viewer member only reads).
    editors_group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="editors_of_organisation"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~models.Q(iati_identifier=""),
                name="organisation_iati_identifier_unique",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="organisation_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


@pghistory.track()
class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


# Audited without the digest: the history says who made or revoked which key, not how to recognise it.
@pghistory.track(exclude=["digest", "last_used_at"])
class ApiKey(models.Model):
    """A key a person's scripts use to call the API in their name (`Authorization: Bearer iisg_...`). Only its
    SHA-256 digest is stored: the key is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “Planning system of the Austrian BMI”.")
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
