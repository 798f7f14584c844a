"""send_sms and its backends: console and file write a parseable line, locmem keeps an outbox,
failures come back as receipts."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from civicgrid.core import sms
from civicgrid.core.sms import (
    BaseSmsBackend,
    ConsoleSmsBackend,
    SmsReceipt,
    read_sms_file,
    send_sms,
)

MOBILE = "13800138000"


class RefusingGateway(BaseSmsBackend):
    """A gateway in the shape the base class documents, refusing every number."""

    def send(self, mobile: str, text: str) -> SmsReceipt:
        return SmsReceipt("", accepted=False, error="isv.MOBILE_NUMBER_ILLEGAL", retryable=False)


class BrokenGateway(BaseSmsBackend):
    def send(self, mobile: str, text: str) -> SmsReceipt:
        raise ConnectionError("gateway unreachable")


@pytest.fixture
def outbox_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms" / "outbox.jsonl"
    return settings.SMS_FILE_PATH


@pytest.fixture
def locmem(settings):
    settings.SMS_BACKEND = "civicgrid.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_the_console_backend_prints_and_writes_one_json_line_per_text(
    settings, outbox_file, capsys
):
    settings.SMS_BACKEND = "civicgrid.core.sms.ConsoleSmsBackend"
    first = send_sms(MOBILE, "您的验证码是 123456，5 分钟内有效。")
    second = send_sms("13900139000", "第二条")
    assert first.accepted and second.accepted and first.message_id != second.message_id
    assert "[SMS → 13800138000] 【CivicGrid】您的验证码是 123456" in capsys.readouterr().err
    lines = outbox_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    entry = json.loads(lines[0])
    assert entry["id"] == first.message_id
    assert entry["mobile"] == MOBILE
    assert entry["text"] == "【CivicGrid】您的验证码是 123456，5 分钟内有效。"
    assert entry["sent_at"].endswith("+00:00")
    assert "验证码" in lines[0]  # UTF-8, not \u escapes: readable with tail -f
    assert [e["mobile"] for e in read_sms_file()] == [MOBILE, "13900139000"]


def test_the_console_backend_defaults_to_the_data_directory(settings):
    assert settings.SMS_FILE_PATH == settings.DATA_DIR / "sms-outbox.jsonl"
    assert ConsoleSmsBackend().path == settings.DATA_DIR / "sms-outbox.jsonl"


def test_the_file_backend_writes_only_the_file(settings, tmp_path, capsys):
    settings.SMS_BACKEND = "civicgrid.core.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "texts.jsonl"
    receipt = send_sms(MOBILE, "预约成功")
    assert capsys.readouterr().err == ""
    (entry,) = read_sms_file(tmp_path / "texts.jsonl")
    assert (entry["id"], entry["text"]) == (receipt.message_id, "【CivicGrid】预约成功")


def test_reading_a_missing_file_gives_no_texts(tmp_path):
    assert read_sms_file(tmp_path / "none.jsonl") == []


def test_the_locmem_backend_keeps_texts_in_the_outbox(locmem):
    receipt = send_sms(MOBILE, "您好")
    (sent,) = locmem
    assert (sent.message_id, sent.mobile, sent.text) == (
        receipt.message_id,
        MOBILE,
        "【CivicGrid】您好",
    )


def test_the_signature_is_added_once(locmem, settings):
    send_sms(MOBILE, "【CivicGrid】已有签名")
    settings.SMS_SIGNATURE = "【冀时办】"
    send_sms(MOBILE, "换了签名")
    assert [s.text for s in locmem] == ["【CivicGrid】已有签名", "【冀时办】换了签名"]


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("008613800138000", "13800138000"),
    ],
)
def test_harmless_formatting_is_removed_before_sending(locmem, given, normalised):
    assert send_sms(given, "您好").accepted
    assert locmem[-1].mobile == normalised


@pytest.mark.parametrize("bad", ["", "12800138000", "1380013800", "0311-12345678", "+1 555 0100"])
def test_a_number_that_is_not_a_mainland_mobile_is_refused_without_sending(locmem, bad):
    receipt = send_sms(bad, "您好")
    assert not receipt.accepted and not receipt.retryable
    assert receipt.error == "手机号码格式不正确"
    assert locmem == []


def test_an_empty_text_is_a_programming_error(locmem):
    with pytest.raises(ValueError):
        send_sms(MOBILE, "  ")


def test_a_gateway_refusal_comes_back_as_a_receipt(settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingGateway"
    receipt = send_sms(MOBILE, "您好")
    assert receipt == SmsReceipt("", False, "isv.MOBILE_NUMBER_ILLEGAL", retryable=False)


def test_a_gateway_that_raises_gives_a_retryable_failed_receipt(settings, caplog):
    settings.SMS_BACKEND = f"{__name__}.BrokenGateway"
    receipt = send_sms(MOBILE, "您好")
    assert not receipt.accepted and receipt.retryable
    assert receipt.error == "ConnectionError: gateway unreachable"
    assert MOBILE not in caplog.text and "138****8000" in caplog.text  # numbers masked in logs


@pytest.mark.parametrize(
    "path", ["civicgrid.core.sms.NoSuchBackend", "civicgrid.core.sms.SmsReceipt", "json.dumps"]
)
def test_a_misconfigured_backend_is_reported(settings, path):
    settings.SMS_BACKEND = path
    with pytest.raises(ImproperlyConfigured):
        send_sms(MOBILE, "您好")


def test_the_base_class_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        BaseSmsBackend().send(MOBILE, "x")
