"""The upload form of bulk staff onboarding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import OnboardingBatch
from civicgrid.core.spreadsheets import SPREADSHEET_SUFFIXES, SpreadsheetError, check_upload_size


class OnboardingForm(forms.Form):
    file = forms.FileField(
        label=_("工作人员表"),
        help_text=_("Excel（.xlsx、.xls）、.ods 或 .csv（UTF-8 或 GB18030 编码）"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SPREADSHEET_SUFFIXES)}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=OnboardingBatch.Mode.choices,
        initial=OnboardingBatch.Mode.SKIP,
        widget=forms.RadioSelect,
        help_text=_(
            "可先点“仅检查，不写入”找出所有错误。文件较大时建议选“跳过出错的行”："
            "“全部不导入”方式在一次提交中写入全部数据，写入期间其他人的保存操作需要等待。"
        ),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        # The size is known before reading: an oversize upload is refused without loading it.
        try:
            check_upload_size(upload.size)
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from exc
        return upload
