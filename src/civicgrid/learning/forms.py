"""Forms of the learning pages. They parse; the actions decide (and name the failing field)."""

import re
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from civicgrid.learning import actions
from civicgrid.learning.choices import QuestionKind
from civicgrid.learning.models import Topic
from civicgrid.learning.querysets import AUTHOR_ROLES
from civicgrid.regions.models import Division

CHOICES_PER_QUESTION = 5
BLANK_QUESTIONS = 2


def publishing_choices(user: Any) -> list[tuple[str, str]]:
    """The divisions an author publishes for: their jurisdictions in author roles."""
    if user.is_superuser:
        codes = ["130000000000"]
    else:
        codes = [m.division_code for m in user.active_memberships if m.role in AUTHOR_ROLES]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names.get(code, code)) for code in dict.fromkeys(codes)]


class PublicationForm(forms.Form):
    """The fields articles and quizzes share."""

    division_code = forms.ChoiceField(label=_("发布范围"), help_text=_("该区划内的居民都能看到"))
    title = forms.CharField(label=_("标题"), max_length=120)
    verified_by = forms.CharField(
        label=_("审核/来源"),
        max_length=200,
        required=False,
        help_text=_("发布前必填，如：阜城县疾病预防控制中心审核"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = publishing_choices(user)

    def add_action_errors(self, errors: dict[str, list[str]]) -> None:
        """Put an action's ValidationError messages on the named fields (others on top)."""
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)


class ArticleForm(PublicationForm):
    topic = forms.ModelChoiceField(label=_("主题"), queryset=Topic.objects.all())
    summary = forms.CharField(label=_("摘要"), max_length=200, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 14}))

    field_order = ["title", "topic", "division_code", "summary", "body", "verified_by"]

    def article_input(self) -> actions.ArticleInput:
        data = self.cleaned_data
        return actions.ArticleInput(
            title=data["title"],
            topic=data["topic"],
            body=data["body"],
            summary=data["summary"],
            verified_by=data["verified_by"],
        )


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("上传图片"),
        help_text=_("JPEG、PNG 或 WebP，最大 5 MB；照片中的位置等信息会被去除"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class QuizForm(PublicationForm):
    topic = forms.ModelChoiceField(label=_("主题"), queryset=Topic.objects.all(), required=False)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    pass_percent = forms.IntegerField(
        label=_("及格线（%）"), min_value=1, max_value=100, initial=80
    )

    field_order = ["title", "topic", "division_code", "description", "pass_percent", "verified_by"]


_QUESTION_FIELD = re.compile(r"^q-(\d+)-")


def question_blocks(data: QueryDict | None, questions: list[Any]) -> list[dict[str, Any]]:
    """The question blocks the quiz editor shows: what was posted (to show it again with its
    errors), else the saved questions; and always a few blank ones to fill in."""
    if data is not None:
        blocks = [_posted_block(data, n) for n in _posted_numbers(data)]
    else:
        blocks = [
            {
                "text": q.text,
                "kind": q.kind,
                "explanation": q.explanation,
                "choices": [{"text": c.text, "correct": c.is_correct} for c in q.choices.all()],
            }
            for q in questions
        ]
    blocks = [b for b in blocks if not _is_blank(b)]
    blocks += [{"text": "", "kind": QuestionKind.SINGLE, "explanation": "", "choices": []}] * (
        BLANK_QUESTIONS
    )
    for number, block in enumerate(blocks, start=1):
        block["number"] = number
        filled = block["choices"][:CHOICES_PER_QUESTION]
        block["choices"] = [
            {"number": i, **choice}
            for i, choice in enumerate(
                filled + [{"text": "", "correct": False}] * (CHOICES_PER_QUESTION - len(filled)),
                start=1,
            )
        ]
    return blocks


def _posted_numbers(data: QueryDict) -> list[int]:
    return sorted({int(m.group(1)) for key in data if (m := _QUESTION_FIELD.match(key))})


def _posted_block(data: QueryDict, n: int) -> dict[str, Any]:
    choices = [
        {
            "text": data.get(f"q-{n}-c-{i}-text", "").strip(),
            "correct": bool(data.get(f"q-{n}-c-{i}-correct")),
        }
        for i in range(1, CHOICES_PER_QUESTION + 1)
    ]
    return {
        "text": data.get(f"q-{n}-text", "").strip(),
        "kind": data.get(f"q-{n}-kind", QuestionKind.SINGLE),
        "explanation": data.get(f"q-{n}-explanation", "").strip(),
        "choices": [c for c in choices if c["text"] or c["correct"]],
    }


def _is_blank(block: dict[str, Any]) -> bool:
    return not block["text"] and not any(c["text"] for c in block["choices"])


def posted_questions(data: QueryDict) -> list[actions.QuestionInput]:
    """The filled question blocks of a posted quiz editor, in order (blank blocks skipped)."""
    blocks = [_posted_block(data, n) for n in _posted_numbers(data)]
    return [
        actions.QuestionInput(
            text=b["text"],
            kind=b["kind"],
            explanation=b["explanation"],
            choices=[actions.ChoiceInput(c["text"], c["correct"]) for c in b["choices"]],
        )
        for b in blocks
        if not _is_blank(b)
    ]


def posted_answers(data: QueryDict) -> dict[str, list[str]]:
    """`{question id: [choice id, …]}` from a quiz page (fields `q<question id>`)."""
    return {key[1:]: data.getlist(key) for key in data if re.fullmatch(r"q\d+", key)}
