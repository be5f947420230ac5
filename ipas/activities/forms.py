"""Forms for logging activities and reviewing iPA entries. They validate; services write."""

from decimal import Decimal

from django import forms
from django.core import signing
from django.db.models import Exists, OuterRef

from iisg_portal.forms import PortalFormMixin
from ipas.activities.selectors import ACTIVITY_SORTS
from ipas.activities.services import VERSION_MISSING
from ipas.activities.snapshots import snapshot_from_form_data
from ipas.models import Activity, Funding, IntegratedPlanOfAction, Objective
from partners.models import Country, Organisation
from pillars.models import CrossCuttingTheme, Pillar

CURRENCIES = [("EUR", "EUR"), ("USD", "USD"), ("GBP", "GBP"), ("CHF", "CHF"), ("NOK", "NOK"), ("SEK", "SEK")]
BASE_SALT = "ipas.activity.base"


class DateInput(forms.DateInput):
    input_type = "date"


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        suffix = (
            "" if obj.ipa.status == IntegratedPlanOfAction.Status.ADOPTED else f" ({obj.ipa.get_status_display()} iPA)"
        )
        return f"{obj.ipa.pillar.code} {obj.code} – {obj.title}{suffix}"


class ObjectiveMultipleChoiceField(forms.ModelMultipleChoiceField):
    label_from_instance = ObjectiveChoiceField.label_from_instance


def _objectives():
    return (
        Objective.objects.exclude(ipa__status=IntegratedPlanOfAction.Status.ARCHIVED)
        .select_related("ipa__pillar")
        .order_by("ipa__pillar__order", "code")
    )


class ObjectiveSelect(forms.Select):
    """Options carry their pillar so the picker can narrow to the pillar chosen (static/js/activity_form.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pillar"] = instance.ipa.pillar.code
        return option


class ObjectiveCheckboxes(forms.CheckboxSelectMultiple):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pillar"] = instance.ipa.pillar.code
        return option


class ActivityForm(PortalFormMixin, forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    implementing_organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.all(),
        required=False,
        to_field_name="code",
        label="Pillar",
        empty_label="All pillars",
        help_text="Narrows the objective lists; an activity may still serve objectives of several pillars.",
    )
    primary_objective = ObjectiveChoiceField(queryset=Objective.objects.none(), widget=ObjectiveSelect)
    additional_objectives = ObjectiveMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=ObjectiveCheckboxes,
        help_text="Other objectives served, of any pillar (inter-pillar work such as illegal arms trafficking).",
    )
    beneficiaries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.filter(is_beneficiary=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Name at least one beneficiary."},
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=CrossCuttingTheme.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    planned_start = forms.DateField(widget=DateInput)
    planned_end = forms.DateField(widget=DateInput)
    actual_start = forms.DateField(widget=DateInput, required=False)
    actual_end = forms.DateField(widget=DateInput, required=False)
    status = forms.ChoiceField(choices=Activity.Status.choices)
    budget_eur = forms.DecimalField(label="Budget (EUR)", min_value=Decimal(0), max_digits=14, decimal_places=2)
    contact = forms.CharField(max_length=200, required=False, help_text="Name and e-mail of the person to ask.")
    links = forms.CharField(
        label="Document links",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="One address per line.",
    )
    confirm_over_budget = forms.BooleanField(
        required=False, label="Save anyway: the funding lines add up to more than the budget"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing needs the version the form was opened on: the stale-save check compares it.
        self.editing = editing
        self.fields["version"].required = editing
        self.fields["primary_objective"].queryset = _objectives()
        self.fields["additional_objectives"].queryset = _objectives()
        self.fields["beneficiaries"].label_from_instance = lambda c: c.display_name

    def clean_links(self):
        links = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        validate = forms.URLField(assume_scheme="https").clean
        return "\n".join(validate(link) for link in links)

    def clean(self):
        cleaned = super().clean()
        for start, end, label in (
            ("planned_start", "planned_end", "planned"),
            ("actual_start", "actual_end", "actual"),
        ):
            if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
                self.add_error(end, f"The {label} end cannot be before the {label} start.")
        if self.editing and cleaned.get("version") is None:
            # The field is hidden: say it above the form, where it is read.
            self.add_error(None, VERSION_MISSING)
        for name in ("primary_objective", "additional_objectives"):
            value = cleaned.get(name)
            chosen = [value] if isinstance(value, Objective) else list(value or [])
            for objective in chosen:
                if objective.ipa.status != IntegratedPlanOfAction.Status.ADOPTED:
                    self.add_error(
                        name,
                        f"{objective.ipa.pillar.code} {objective.code} belongs to an iPA that is not adopted yet; "
                        "choose an objective of an adopted iPA.",
                    )
        return cleaned

    def base_snapshot(self) -> dict | None:
        """The entry as it was when the form was opened (signed, so it cannot be forged)."""
        try:
            return signing.loads(self.cleaned_data.get("base") or self.data.get("base", ""), salt=BASE_SALT)
        except signing.BadSignature:
            return None

    @staticmethod
    def sign_base(snapshot: dict) -> str:
        return signing.dumps(snapshot, salt=BASE_SALT)


class FundingForm(PortalFormMixin, forms.Form):
    donor = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(choices=CURRENCIES, initial="EUR")
    amount_eur = forms.DecimalField(
        label="Amount (EUR)",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "same if EUR"}),
    )
    status = forms.ChoiceField(choices=Funding.Status.choices, initial=Funding.Status.PLEDGED)
    instrument = forms.CharField(
        max_length=120, required=False, widget=forms.TextInput(attrs={"placeholder": "EU IPA II"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("amount") is not None and cleaned.get("amount_eur") is None:
            if cleaned.get("currency") == "EUR":
                cleaned["amount_eur"] = cleaned["amount"]
            else:
                self.add_error("amount_eur", "Give the EUR value of an amount in another currency.")
        return cleaned


FundingFormSet = forms.formset_factory(FundingForm, extra=0, can_delete=True, max_num=50, validate_max=True)


class ActivityEntry:
    """The activity form and its funding lines, validated together."""

    def __init__(
        self, data=None, *, initial: dict | None = None, funding_initial: list | None = None, editing: bool = False
    ):
        self.form = ActivityForm(data, initial=initial, editing=editing)
        self.fundings = FundingFormSet(data, initial=funding_initial, prefix="funding")
        self.over_budget = False

    def is_valid(self) -> bool:
        valid = self.form.is_valid() & self.fundings.is_valid()
        if not valid:
            return False
        total = sum(line["amount_eur"] for line in self.funding_lines())
        budget = self.form.cleaned_data["budget_eur"]
        if total > budget and not self.form.cleaned_data.get("confirm_over_budget"):
            self.over_budget = True
            self.form.add_error(
                "budget_eur",
                f"The funding lines add up to €{total:,.2f}, more than the budget of €{budget:,.2f}. "
                "Correct the figures, or tick “Save anyway” below to confirm.",
            )
            return False
        return True

    def funding_lines(self) -> list[dict]:
        return [f.cleaned_data for f in self.fundings.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def snapshot(self) -> dict:
        return snapshot_from_form_data({**self.form.cleaned_data, "fundings": self.funding_lines()})


def entry_initial(snapshot: dict) -> tuple[dict, list]:
    """Form initial values from a snapshot (an activity or an open revision)."""
    initial = {k: v for k, v in snapshot.items() if k not in ("fundings",)}
    primary = Objective.objects.filter(pk=snapshot.get("primary_objective")).select_related("ipa__pillar").first()
    if primary:
        initial["pillar"] = primary.ipa.pillar.code
    return initial, [dict(line) for line in snapshot.get("fundings", [])]


class ActivityFilterForm(PortalFormMixin, forms.Form):
    """The list filters. Their state lives in the URL, so a filtered list can be shared as a link."""

    SORTS = ACTIVITY_SORTS  # the selector orders by it

    q = forms.CharField(label="Search", required=False)
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.all(), to_field_name="code", required=False, empty_label="All pillars"
    )
    objective = ObjectiveChoiceField(queryset=Objective.objects.none(), required=False, empty_label="All objectives")
    country = forms.ModelChoiceField(
        queryset=Country.objects.filter(is_beneficiary=True),
        to_field_name="code",
        required=False,
        empty_label="All beneficiaries",
    )
    donor = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(Exists(Funding.objects.filter(donor=OuterRef("pk")))).order_by("name"),
        required=False,
        empty_label="All donors",
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"), required=False, empty_label="All organisations"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Activity.Status.choices], required=False)
    approval_state = forms.ChoiceField(
        choices=[("", "Any approval state"), *Activity.ApprovalState.choices], required=False
    )
    period_from = forms.DateField(label="Running after", widget=DateInput, required=False)
    period_to = forms.DateField(label="Running before", widget=DateInput, required=False)
    sort = forms.ChoiceField(
        choices=[
            ("-updated", "Recently changed"),
            ("title", "Title A–Z"),
            ("-title", "Title Z–A"),
            ("start", "Start date, earliest"),
            ("-start", "Start date, latest"),
            ("-budget", "Budget, largest"),
            ("budget", "Budget, smallest"),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = _objectives()
        self.fields["objective"].label_from_instance = lambda o: f"{o.ipa.pillar.code} {o.code} – {o.title[:60]}"
        self.fields["donor"].label_from_instance = lambda o: o.label
        self.fields["organisation"].label_from_instance = lambda o: o.label
