"""Forms of the register import pages: upload, column mapping, and the choice of mode."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core import division_codes
from civicgrid.core.spreadsheets import (
    SPREADSHEET_SUFFIXES,
    SpreadsheetError,
    check_upload_size,
    format_size,
)
from civicgrid.population.importing.columns import COLUMNS, check_mapping
from civicgrid.population.importing.sources import upload_max_bytes
from civicgrid.population.models import ImportBatch

IGNORE = ""


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("人口登记表"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SPREADSHEET_SUFFIXES)}),
    )
    place_code = forms.CharField(
        label=_("所属社区/村或乡镇代码"),
        required=False,
        max_length=12,
        help_text=_(
            "选填。填写社区/村的 12 位代码时，没有“社区/村”列的行都归入该社区；填写乡镇或县的代码时，只在该范围内按名称查找社区。"
        ),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # The limit is a setting; say it before someone uploads 200 MB.
        self.fields["file"].help_text = _(
            "Excel（.xlsx、.xls）、.ods 或 .csv（UTF-8 或 GB18030 编码），不超过 %(limit)s"
        ) % {"limit": format_size(upload_max_bytes())}

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        # The size is known before reading: an oversize upload is refused without loading it.
        try:
            check_upload_size(upload.size, max_bytes=upload_max_bytes())
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from exc
        return upload

    def clean_place_code(self) -> str:
        raw = self.cleaned_data["place_code"].strip()
        if not raw:
            return ""
        try:
            return division_codes.normalize_code(raw)
        except division_codes.InvalidDivisionCode as exc:
            raise forms.ValidationError(str(exc)) from exc


class ImportMappingForm(forms.Form):
    """One choice per column of the sheet: which register column it is, or none."""

    def __init__(self, *args, batch: ImportBatch, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.batch = batch
        choices = [(IGNORE, _("（不导入）")), *((c.key, c.label) for c in COLUMNS)]
        mapping = batch.mapping
        for position, header in enumerate(batch.headers):
            self.fields[f"col_{position}"] = forms.ChoiceField(
                label=header or _("第 %(n)d 列") % {"n": position + 1},
                choices=choices,
                required=False,
                initial=mapping.get(str(position), IGNORE),
            )

    def mapping(self) -> dict[int, str]:
        return {
            position: self.cleaned_data[f"col_{position}"]
            for position in range(len(self.batch.headers))
            if self.cleaned_data.get(f"col_{position}")
        }

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if not self.errors:
            problems = check_mapping(self.mapping(), has_default_community=True)
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


class ImportRunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.SKIP,
        widget=forms.RadioSelect,
    )
