"""Forms of the duplication report: its filters and the settling of a flag."""

from django import forms

from iisg_portal.forms import PortalFormMixin
from ipas.duplication.selectors import FlagFilters
from ipas.models import DuplicateFlag
from partners.models import Country, Organisation
from pillars.models import Pillar


class FlagFilterForm(PortalFormMixin, forms.Form):
    pillar = forms.ModelChoiceField(Pillar.objects.all(), required=False, empty_label="All pillars")
    country = forms.ModelChoiceField(
        Country.objects.filter(is_beneficiary=True), required=False, empty_label="All beneficiaries"
    )
    donor = forms.ModelChoiceField(
        Organisation.objects.filter(fundings__isnull=False).distinct(), required=False, empty_label="All donors"
    )
    min_score = forms.IntegerField(
        label="Score at least (%)",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput({"step": 5, "placeholder": "Score at least %"}),
    )
    # Short labels: the filter bar is narrow (the flags themselves show the full ones).
    kind = forms.ChoiceField(
        choices=[
            ("", "Every kind"),
            (DuplicateFlag.Kind.CROSS_DONOR, "Across donors"),
            (DuplicateFlag.Kind.DOUBLE_ENTRY, "Double entries"),
            (DuplicateFlag.Kind.NO_DONOR, "Donor not recorded"),
        ],
        required=False,
    )

    def flag_filters(self) -> FlagFilters:
        """The checked filters (none when the form is not valid: the report then shows every open flag)."""
        if not self.is_valid():
            return FlagFilters()
        data = self.cleaned_data
        return FlagFilters(
            pillar=data.get("pillar"),
            country=data.get("country"),
            donor=data.get("donor"),
            min_score=data.get("min_score"),
            kind=data.get("kind") or "",
        )


class FlagResolveForm(PortalFormMixin, forms.Form):
    resolution = forms.ChoiceField(
        label="Decision",
        choices=[c for c in DuplicateFlag.Resolution.choices if c[0]],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea({"rows": 3}),
        required=False,
        help_text=(
            "Why: kept with the decision and shown if the pair comes back. The partners that log, implement or "
            "fund these activities read it too, on their flags."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].widget.attrs["class"] = "form-check-input"
