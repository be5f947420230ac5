import pghistory
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from partners.models import Organisation


@pghistory.track()
class Pillar(models.Model):
    """One of the IISG pillars (WBCTi, WBCSCi, WBBSi). Kept as data so a fourth needs no code."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="led_pillars"
    )
    # Changed only through pillars.services.pillar_leads_set, which also moves the object permissions.
    co_lead_organisations = models.ManyToManyField(Organisation, blank=True, related_name="co_led_pillars")

    class Meta:
        ordering = ["order", "code"]
        permissions = [
            ("review_entries", "Can approve or return the pillar's iPA entries"),
            ("manage_ipas", "Can edit the pillar's iPAs, objectives, indicators and funding needs"),
        ]

    def __str__(self):
        return self.code

    @property
    def lead_organisations(self) -> list[Organisation]:
        leads = [self.lead_organisation] if self.lead_organisation_id else []
        return leads + [org for org in self.co_lead_organisations.all() if org.pk != self.lead_organisation_id]


@pghistory.track()
class CrossCuttingTheme(models.Model):
    """Issues that cut across pillars, e.g. illegal arms trafficking or hybrid threats."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Who leads a pillar decides who reviews its entries: the Co-Leads and the object permissions are audited too.
@pghistory.track(obj_field=None)
class PillarCoLead(Pillar.co_lead_organisations.through):
    """A Co-Lead Partner of a pillar (the default many-to-many table, tracked through this proxy)."""

    class Meta:
        proxy = True


@pghistory.track()
class PillarUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Pillar, on_delete=models.CASCADE)


@pghistory.track()
class PillarGroupObjectPermission(GroupObjectPermissionBase):
    # Lead Partner rights are granted here, to the lead organisation's editors' group, for its pillar only.
    content_object = models.ForeignKey(Pillar, on_delete=models.CASCADE)
