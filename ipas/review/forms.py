from django import forms

from iisg_portal.forms import PortalFormMixin


class ReturnForm(PortalFormMixin, forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what the partner must change; they see this comment.",
        error_messages={"required": "Say why the entry is returned: a comment is required."},
    )
