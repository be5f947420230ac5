from django import forms

from board.models import ActionPoint, AgendaItem, Decision, Meeting
from iisg_portal.forms import PortalFormMixin
from partners.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["body", "title", "date", "place", "host", "status"]
        widgets = {"date": DateInput()}


class ParticipantsForm(PortalFormMixin, forms.Form):
    participants = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("participation", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text="Organisations and observers invited. Hold Ctrl (or ⌘) to choose several.",
    )
    attendees = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("participation", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        label="Attended",
        help_text="After the meeting: the participants who were present.",
    )


class AgendaItemForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "pillar", "presenter", "documents", "outcome"]
        widgets = {"documents": forms.Textarea(attrs={"rows": 3}), "outcome": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"outcome": "Minutes: what the meeting concluded on this item."}


class DecisionForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "agenda_item", "status"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting: Meeting, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        if creating:
            del self.fields["status"]  # a new decision is proposed; the meeting settles it later


class DecisionCorrectionForm(PortalFormMixin, forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Corrected text")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the text is corrected.")


class ActionPointForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ActionPoint
        fields = ["text", "responsible", "due_date", "status", "follow_up", "decision"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
        }

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = meeting.decisions.all()
