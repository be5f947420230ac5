"""Forms of the duplication report: its filters and the settling of a flag."""

from urllib.parse import urlencode

from django import forms

from iisg_portal.forms import PortalFormMixin
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

    def description(self) -> str:
        """The filters in words, for the exported files: "All open flags" when there are none."""
        if not self.is_valid():
            return "All open flags"
        data = self.cleaned_data
        parts = []
        if data.get("pillar"):
            parts.append(f"pillar {data['pillar'].code}")
        if data.get("country"):
            parts.append(f"beneficiary {data['country'].code}")
        if data.get("donor"):
            parts.append(f"donor {data['donor'].label}")
        if data.get("min_score") is not None:
            parts.append(f"score at least {data['min_score']}%")
        if data.get("kind"):
            parts.append(dict(DuplicateFlag.Kind.choices)[data["kind"]].lower())
        return "Open flags with " + ", ".join(parts) if parts else "All open flags"

    def canonical_query(self) -> str:
        """The filters alone (no page, nothing unknown), as an address query: what an export keeps."""
        if not self.is_valid():
            return ""
        return urlencode([(name, self.data[name]) for name in self.fields if self.data.get(name) not in (None, "")])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "pillar": data.get("pillar"),
            "country": data.get("country"),
            "donor": data.get("donor"),
            "min_score": data["min_score"] / 100 if data.get("min_score") is not None else None,
            "kind": data.get("kind") or None,
        }


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
