from django import forms
from django.contrib.auth import forms as auth_forms

from iisg_portal.forms import PortalFormMixin
from partners.models import Organisation
from partners.services import api_keys_revoke_all


class OrganisationForm(PortalFormMixin, forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "type",
            "participation",
            "country",
            "iati_identifier",
            "website",
            "needs_review",
        ]


class OrganisationFilterForm(PortalFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False)
    type = forms.ChoiceField(choices=[("", "All types"), *Organisation.Type.choices], required=False)
    participation = forms.ChoiceField(
        choices=[("", "All participation"), *Organisation.Participation.choices], required=False
    )
    needs_review = forms.BooleanField(label="Only those to check (created by an import)", required=False)


class LoginForm(PortalFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(PortalFormMixin, auth_forms.PasswordChangeForm):
    """Whoever knew the old password may have made API keys with it: a change revokes them, as a reset does."""

    revoked_api_keys = 0

    def save(self, commit=True):
        user = super().save(commit)
        if commit:
            self.revoked_api_keys = api_keys_revoke_all(actor=user, user=user)
        return user


class PasswordResetForm(PortalFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(PortalFormMixin, auth_forms.SetPasswordForm):
    """The password reset's last step. Whoever had the old password may have made API keys: they go too."""

    def save(self, commit=True):
        user = super().save(commit)
        if commit:
            api_keys_revoke_all(actor=user, user=user)
        return user


class ApiKeyForm(PortalFormMixin, forms.Form):
    name = forms.CharField(
        label="What is the key for?",
        max_length=100,
        help_text="For example “Planning system of the Austrian BMI”: you will recognise it in this list.",
    )


class SecondFactorCodeForm(PortalFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SecondFactorSetupForm(PortalFormMixin, forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        help_text="Six digits, to show the app and the portal agree.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
