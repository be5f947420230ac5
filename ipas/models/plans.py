import pghistory
from django.db import models
from django.db.models import F, Q

from pillars.models import Pillar


@pghistory.track()
class IntegratedPlanOfAction(models.Model):
    """A pillar's multi-annual Integrated Plan of Action (iPA)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"
        ARCHIVED = "archived", "Archived"

    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="ipas")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    adopted_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "iPA"
        verbose_name_plural = "iPAs"
        ordering = ["pillar__order", "-period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="ipa_period_valid"),
            models.UniqueConstraint(fields=["pillar", "period_start"], name="ipa_pillar_period_unique"),
        ]

    def __str__(self):
        return f"{self.pillar.code} iPA {self.period_start.year}–{self.period_end.year}"


@pghistory.track()
class Objective(models.Model):
    """An iPA objective; sub-objectives (expected results) hang below it, coded "1", "1.2", ..."""

    ipa = models.ForeignKey(IntegratedPlanOfAction, on_delete=models.CASCADE, related_name="objectives")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["ipa", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ipa", "code"], name="objective_code_unique_in_ipa"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]+(\.[0-9]+)*$"), name="objective_code_format"),
        ]

    def __str__(self):
        return f"{self.ipa.pillar.code} {self.code} {self.title}"

    @property
    def pillar(self) -> Pillar:
        return self.ipa.pillar


@pghistory.track()
class Indicator(models.Model):
    """An indicator of the common monitoring & evaluation (M&E) framework."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=50)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    latest_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    latest_value_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["objective", "name"]

    def __str__(self):
        return self.name
