"""Forms of the catalogue pages: they parse; the importer and selectors decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.catalog.choices import ItemLevel
from civicgrid.catalog.importing import MAX_IMPORT_BYTES
from civicgrid.catalog.search import MAX_QUERY_LENGTH
from civicgrid.core.spreadsheets import SPREADSHEET_SUFFIXES, SpreadsheetError, check_upload_size


class SearchForm(forms.Form):
    """The search box and the browse filters; anything malformed is simply ignored."""

    q = forms.CharField(label=_("搜索事项"), max_length=MAX_QUERY_LENGTH, required=False)
    department = forms.IntegerField(required=False, min_value=1)
    life_event = forms.SlugField(required=False, max_length=40)
    level = forms.TypedChoiceField(
        required=False, choices=[("", ""), *ItemLevel.choices], coerce=int, empty_value=None
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def filters(self) -> dict:  # type: ignore[type-arg]
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "department": data.get("department"),
            "life_event": data.get("life_event") or None,
            "level": data.get("level"),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("服务事项表"),
        help_text=_("Excel（.xlsx、.xls）、.ods 或 .csv（UTF-8 或 GB18030 编码），不超过 5 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SPREADSHEET_SUFFIXES)}),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size, max_bytes=MAX_IMPORT_BYTES)
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from exc
        return upload
