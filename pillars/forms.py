from django import forms

from iisg_portal.forms import PortalFormMixin
from partners.models import Organisation


class PillarLeadsForm(PortalFormMixin, forms.Form):
    lead_organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False)
    co_lead_organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_organisation")
        if lead and lead in (cleaned.get("co_lead_organisations") or []):
            self.add_error("co_lead_organisations", "The Lead Partner cannot also be a Co-Lead Partner.")
        return cleaned
