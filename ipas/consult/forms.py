from django import forms

from iisg_portal.forms import PortalFormMixin
from ipas.duplication.engine import CONCEPT_DESCRIPTION_MAX_LENGTH
from partners.models import Country, Organisation
from pillars.models import Pillar


class ConsultForm(PortalFormMixin, forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea({"rows": 5}), required=False, max_length=CONCEPT_DESCRIPTION_MAX_LENGTH
    )
    beneficiaries = forms.ModelMultipleChoiceField(
        Country.objects.filter(is_beneficiary=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    pillar = forms.ModelChoiceField(Pillar.objects.all(), required=False, empty_label="Not chosen yet")
    start = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    intended_donor = forms.ModelChoiceField(Organisation.objects.all(), required=False, empty_label="Not known yet")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end comes before the start.")
        return data
