"""Forms of the bulk import of donors' lists (ipas/imports/reading.py reads the file, plan.py checks it)."""

from django import forms

from iisg_portal.forms import PortalFormMixin
from ipas.imports.reading import MAX_BYTES, ImportFileError, Table, read_table
from partners.models import Organisation


class ImportUploadForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label="Donor's list",
        help_text="CSV (UTF-8) or Excel workbook (.xlsx), at most 5 MB and 5,000 rows, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(),
        label="Whose list is it?",
        required=False,
        empty_label="Each row's implementing organisation",
        help_text="The organisation named here owns the imported entries; external ids are unique per owner, "
        "so importing its list again updates them.",
    )

    def clean_file(self) -> Table:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; at most 5 MB can be imported."
            )
        # Read into memory and parse at once: the upload is never kept on disk under its own name.
        try:
            table = read_table(upload.read(), upload.name)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from exc
        self.filename = upload.name
        return table


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
