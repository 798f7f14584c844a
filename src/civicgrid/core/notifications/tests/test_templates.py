"""Message templates: strict placeholders, strict rendering, administrator wording."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.notifications.actions import notify
from civicgrid.core.notifications.choices import NotificationCategory
from civicgrid.core.notifications.models import Delivery, Notification, TemplateOverride
from civicgrid.core.notifications.registry import (
    InvalidTemplateText,
    MissingTemplateVariable,
    TemplateAlreadyRegistered,
    UnknownTemplate,
    get_template,
    register_template,
    unregister_template,
)
from civicgrid.core.notifications.tests.support import ERRAND, shanghai

pytestmark = pytest.mark.django_db


def test_a_missing_variable_is_an_error_at_send_time_and_nothing_is_written(
    alice, sms_outbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(MissingTemplateVariable) as error,
    ):
        notify(alice, "test_errand_claimed", {"title": "买两袋大米"})
    assert error.value.missing == ["volunteer"]
    assert "volunteer" in str(error.value)
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert callbacks == [] and sms_outbox == []


def test_none_counts_as_missing_rather_than_printing_none(alice):
    with pytest.raises(MissingTemplateVariable):
        notify(alice, "test_errand_claimed", {"title": "买两袋大米", "volunteer": None})


def test_extra_context_is_ignored_and_the_message_is_fully_rendered(alice):
    (notification,) = notify(alice, "test_errand_claimed", {**ERRAND, "unused": 1})
    assert notification.title == "代购需求已被认领"
    assert notification.body == "您的代购需求“买两袋大米”已被志愿者张志愿认领。"
    sms = notification.deliveries.get(channel="sms")
    assert sms.text == "您的代购需求“买两袋大米”已被志愿者张志愿认领，请保持电话畅通。"


def test_an_unknown_template_code_is_an_error(alice):
    with pytest.raises(UnknownTemplate):
        notify(alice, "no_such_template", {})


@pytest.mark.parametrize(
    "text",
    ["{user.password}", "{items[0]}", "{}", "{0}", "{name!r}", "{amount:>10}", "未闭合 {name"],
)
def test_placeholders_must_be_plain_names(text):
    with pytest.raises(InvalidTemplateText):
        register_template("test_bad", category=NotificationCategory.SYSTEM, title="t", body=text)
    with pytest.raises(UnknownTemplate):
        get_template("test_bad")


def test_literal_braces_are_doubled(alice):
    register_template(
        "test_braces", category=NotificationCategory.SYSTEM, title="t", body="{{编号}} {code}"
    )
    try:
        (notification,) = notify(alice, "test_braces", {"code": "A1"})
        assert notification.body == "{编号} A1"
    finally:
        unregister_template("test_braces")


def test_two_apps_cannot_register_different_templates_under_one_code():
    again = {
        "category": NotificationCategory.LEARNING,
        "title": "新的防疫知识测验：{quiz}",
        "body": "社区发布了新的测验“{quiz}”，欢迎参加。",
    }
    register_template("test_quiz_published", **again)  # the same declaration twice is fine
    with pytest.raises(TemplateAlreadyRegistered):
        register_template("test_quiz_published", **{**again, "body": "别的内容"})


def test_the_variables_of_a_template_are_those_of_all_its_texts():
    assert get_template("test_errand_claimed").variables == {"title", "volunteer"}
    assert get_template("test_quiz_published").variables == {"quiz"}


def test_the_sms_text_defaults_to_the_body(alice):
    (notification,) = notify(alice, "test_quarantine_order", {"start": "3月3日"})
    assert notification.deliveries.get(channel="sms").text == notification.body


def test_times_are_written_in_beijing_time(alice):
    (notification,) = notify(alice, "test_quarantine_order", {"start": shanghai(2026, 3, 3, 8, 0)})
    assert notification.body.startswith("请于2026-03-03 08:00起居家隔离")


def test_an_administrators_wording_replaces_the_code_text(alice):
    TemplateOverride.objects.create(
        code="test_errand_claimed", body="志愿者{volunteer}接单了：{title}", sms=""
    )
    (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    assert notification.title == "代购需求已被认领"  # blank parts keep the code's text
    assert notification.body == "志愿者张志愿接单了：买两袋大米"


def test_an_inactive_override_is_not_used(alice):
    TemplateOverride.objects.create(code="test_errand_claimed", body="停用的文案", is_active=False)
    (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    assert notification.body.startswith("您的代购需求")


def test_an_override_may_use_only_the_variables_the_code_declares():
    override = TemplateOverride(code="test_errand_claimed", body="{title} 由 {phone} 认领")
    with pytest.raises(ValidationError) as error:
        override.full_clean()
    assert "phone" in str(error.value.message_dict["body"])
    with pytest.raises(ValidationError) as error:
        TemplateOverride(code="test_errand_claimed", title="{volunteer.password}").full_clean()
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        TemplateOverride(code="no_such_template", body="x").full_clean()
    assert "code" in error.value.message_dict


def test_an_invalid_override_saved_past_validation_is_ignored(alice):
    TemplateOverride.objects.create(code="test_errand_claimed", body="{title} 由 {phone} 认领")
    (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    assert notification.body == "您的代购需求“买两袋大米”已被志愿者张志愿认领。"
