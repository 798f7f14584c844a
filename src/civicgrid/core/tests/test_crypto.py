"""Encryption, look-up hashes, key configuration and key rotation (with the rotate_data_key command).

Tests set their own keys; the development keys under DATA_DIR are never used here, and the
settings' own key loading is tested in a temporary directory.
"""

import base64
import datetime
import io
import os
import stat

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

import civicgrid.settings as settings_module
from civicgrid.core.crypto import (
    DecryptionError,
    Encryptor,
    current_data_key_id,
    decrypt,
    encrypt,
    lookup_hash,
    new_key_text,
    parse_data_keys,
    parse_lookup_key,
    token_key_id,
)
from civicgrid.core.idcard import make_id_number
from civicgrid.core.management.commands.rotate_data_key import ProgressBar
from civicgrid.core.protected_fields import ProtectedIdNumberField, ProtectedMobileField, protect
from civicgrid.core.testing import throwaway_tables


def _test_key(fill: int) -> str:
    """A fixed, obviously-not-secret key: tests need distinct keys, not unpredictable ones
    (and pytest-xdist needs the same parameters in every worker)."""
    return base64.urlsafe_b64encode(bytes([fill]) * 32).rstrip(b"=").decode()


K0, K1, K2, LOOKUP = _test_key(0), _test_key(1), _test_key(2), _test_key(9)
ID_NUMBER = make_id_number("131128", datetime.date(1990, 1, 1), 123)
MOBILE = "13812345678"


def only_k1():
    return override_settings(CIVICGRID_DATA_KEYS=f"k1:{K1}", CIVICGRID_LOOKUP_KEY=LOOKUP)


def k2_then_k1():
    return override_settings(CIVICGRID_DATA_KEYS=f"k2:{K2},k1:{K1}", CIVICGRID_LOOKUP_KEY=LOOKUP)


def only_k2():
    return override_settings(CIVICGRID_DATA_KEYS=f"k2:{K2}", CIVICGRID_LOOKUP_KEY=LOOKUP)


def _raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- encrypting -----------------------------------------------------------------------------------


@only_k1()
def test_it_decrypts_what_it_encrypted():
    token = encrypt("id_number", ID_NUMBER)
    assert ID_NUMBER not in token
    assert decrypt("id_number", token) == ID_NUMBER


@only_k1()
def test_the_same_number_encrypts_differently_each_time():
    assert encrypt("mobile", MOBILE) != encrypt("mobile", MOBILE)


@only_k1()
def test_an_encryptor_for_many_values_makes_the_same_tokens_as_encrypt():
    encryptor = Encryptor("mobile")
    tokens = {encryptor(MOBILE) for _ in range(3)}
    assert len(tokens) == 3  # a fresh nonce each time
    for token in tokens:
        assert decrypt("mobile", token) == MOBILE
        assert _raw(token)[:4] == _raw(encrypt("mobile", MOBILE))[:4]
    with pytest.raises(DecryptionError):
        decrypt("id_number", encryptor(MOBILE))


@only_k1()
def test_a_token_carries_its_version_and_key_id():
    raw = _raw(encrypt("mobile", MOBILE))
    assert raw[0] == 1
    assert raw[1:4] == b"\x02k1"
    assert token_key_id(encrypt("mobile", MOBILE)) == "k1"
    assert current_data_key_id() == "k1"


@only_k1()
def test_a_ciphertext_swapped_to_another_purpose_is_rejected():
    token = encrypt("mobile", MOBILE)
    with pytest.raises(DecryptionError, match="不是“id_number”用途的密文"):
        decrypt("id_number", token)


@only_k1()
def test_every_flipped_byte_is_detected_never_decrypted_to_garbage():
    raw = _raw(encrypt("id_number", ID_NUMBER))
    for position in range(len(raw)):
        for bit in (0x01, 0x80):
            tampered = bytearray(raw)
            tampered[position] ^= bit
            with pytest.raises(DecryptionError):
                decrypt("id_number", _token(bytes(tampered)))


@only_k1()
def test_every_altered_character_of_the_text_is_detected():
    token = encrypt("id_number", ID_NUMBER)
    for position in range(len(token)):
        replacement = "A" if token[position] != "A" else "B"
        with pytest.raises(DecryptionError):
            decrypt("id_number", token[:position] + replacement + token[position + 1 :])


@only_k1()
@pytest.mark.parametrize(
    "token", ["", "not base64!", "AQ", "AQJrMQ", "plain 131128199001011231", None, 42]
)
def test_malformed_tokens_get_a_clear_error(token):
    with pytest.raises(DecryptionError, match="密文"):
        decrypt("id_number", token)


@only_k1()
def test_a_truncated_token_is_detected():
    token = encrypt("id_number", ID_NUMBER)
    for cut in (1, 4, 10, 20):
        with pytest.raises(DecryptionError):
            decrypt("id_number", token[:-cut])


@only_k1()
def test_an_unknown_token_version_is_named():
    raw = bytearray(_raw(encrypt("id_number", ID_NUMBER)))
    raw[0] = 2
    with pytest.raises(DecryptionError, match="不支持的密文版本 2"):
        decrypt("id_number", _token(bytes(raw)))


# --- rotating keys (without a database) ---------------------------------------------------------


def test_old_tokens_decrypt_after_a_new_key_is_put_first_and_new_ones_use_it():
    with only_k1():
        old = encrypt("id_number", ID_NUMBER)
    with k2_then_k1():
        assert decrypt("id_number", old) == ID_NUMBER
        new = encrypt("id_number", ID_NUMBER)
        assert token_key_id(new) == "k2"
    with only_k2():
        assert decrypt("id_number", new) == ID_NUMBER
        with pytest.raises(DecryptionError, match="密钥 k1 不在 CIVICGRID_DATA_KEYS 中"):
            decrypt("id_number", old)


def test_a_token_cannot_be_passed_off_as_another_keys():
    with k2_then_k1():
        raw = bytearray(_raw(encrypt("id_number", ID_NUMBER)))
        raw[2:4] = b"k1"  # relabel a k2 token as k1
        with pytest.raises(DecryptionError, match="认证失败"):
            decrypt("id_number", _token(bytes(raw)))


# --- look-up hashes -----------------------------------------------------------------------------


@only_k1()
def test_the_lookup_hash_is_over_the_normalised_value():
    assert lookup_hash("mobile", "+86 138-1234-5678") == lookup_hash("mobile", MOBILE)
    assert lookup_hash("id_number", ID_NUMBER.lower()) == lookup_hash("id_number", ID_NUMBER)
    assert lookup_hash("id_number", protect("id_number", ID_NUMBER)) == lookup_hash(
        "id_number", ID_NUMBER
    )
    digest = lookup_hash("mobile", MOBILE)
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_the_lookup_hash_does_not_change_when_data_keys_rotate():
    with only_k1():
        before = lookup_hash("id_number", ID_NUMBER)
    with only_k2():
        assert lookup_hash("id_number", ID_NUMBER) == before


def test_the_lookup_hash_depends_on_the_lookup_key():
    with only_k1():
        ours = lookup_hash("mobile", MOBILE)
    with override_settings(CIVICGRID_LOOKUP_KEY=new_key_text()):
        assert lookup_hash("mobile", MOBILE) != ours


@only_k1()
def test_the_lookup_hash_rejects_bad_input_and_unknown_kinds():
    with pytest.raises(ValidationError):
        lookup_hash("mobile", "12345")
    with pytest.raises(ValueError, match="unknown kind"):
        lookup_hash("passport", "E12345678")
    with pytest.raises(TypeError):
        lookup_hash("id_number", protect("mobile", MOBILE))


# --- configuration ------------------------------------------------------------------------------


def test_the_first_key_of_the_list_encrypts():
    keys = parse_data_keys(f" k2:{K2} , k1:{K1}= ,")
    assert keys.current_id == "k2"
    assert set(keys.ciphers) == {"k1", "k2"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "未配置任何密钥"),
        (K1, "应写成“编号:密钥”"),
        (f"key one:{K1}", "应写成“编号:密钥”"),
        (f"{'k' * 17}:{K1}", "应写成“编号:密钥”"),
        (f"k1:{K1},k1:{K2}", "密钥编号 k1 重复"),
        ("k1:not*base64", "不是有效的 base64url"),
        (f"k1:{K1[:20]}", "应为 32 字节"),
        (f"k1:{base64.b64encode(bytes(range(200, 232))).decode()}", "base64url"),
    ],
)
def test_malformed_data_keys_are_refused_with_a_reason(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_data_keys(text)


@pytest.mark.parametrize(
    ("text", "message"), [("", "未配置"), ("c2hvcnQ", "32 字节"), ("short!", "base64url")]
)
def test_a_malformed_lookup_key_is_refused(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_lookup_key(text)


@pytest.fixture
def fresh_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CIVICGRID_DATA_KEYS", raising=False)
    monkeypatch.delenv("CIVICGRID_LOOKUP_KEY", raising=False)
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path / "var")
    monkeypatch.setattr(settings_module, "PRODUCTION", False)
    return tmp_path / "var"


def test_development_generates_keys_once_and_keeps_them_private(fresh_environment):
    data_keys, lookup_key = settings_module._personal_data_keys()
    assert parse_data_keys(data_keys).current_id == "dev1"
    assert len(parse_lookup_key(lookup_key)) == 32
    for name in ("dev-data-keys", "dev-lookup-key"):
        assert stat.S_IMODE(os.stat(fresh_environment / name).st_mode) == 0o600
    assert settings_module._personal_data_keys() == (data_keys, lookup_key)
    assert sorted(p.name for p in fresh_environment.iterdir()) == [
        "dev-data-keys",
        "dev-lookup-key",
    ]


def test_keys_from_the_environment_win(fresh_environment, monkeypatch):
    monkeypatch.setenv("CIVICGRID_DATA_KEYS", f"k2:{K2},k1:{K1}")
    monkeypatch.setenv("CIVICGRID_LOOKUP_KEY", LOOKUP)
    assert settings_module._personal_data_keys() == (f"k2:{K2},k1:{K1}", LOOKUP)
    assert not fresh_environment.exists()


def test_production_refuses_to_start_without_keys(fresh_environment, monkeypatch):
    monkeypatch.setattr(settings_module, "PRODUCTION", True)
    with pytest.raises(ImproperlyConfigured, match="CIVICGRID_DATA_KEYS"):
        settings_module._personal_data_keys()
    monkeypatch.setenv("CIVICGRID_DATA_KEYS", f"k1:{K1}")
    with pytest.raises(ImproperlyConfigured, match="CIVICGRID_LOOKUP_KEY"):
        settings_module._personal_data_keys()
    assert not fresh_environment.exists()


def test_start_up_fails_on_a_malformed_key(fresh_environment, monkeypatch):
    monkeypatch.setenv("CIVICGRID_DATA_KEYS", "k1:tooshort")
    with pytest.raises(ImproperlyConfigured, match="32 字节"):
        settings_module._personal_data_keys()


# --- rotating a real table with the command -----------------------------------------------------

with isolate_apps("civicgrid.core"):

    class Householder(models.Model):  # noqa: DJ008 - a throwaway test table
        id_number = ProtectedIdNumberField(unique=True)
        mobile = ProtectedMobileField(blank=True)

        class Meta:
            app_label = "core"
            db_table = "core_test_rotation_householder"


@pytest.fixture(scope="module")
def householder_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), throwaway_tables(Householder):
        yield


@pytest.fixture
def discoverable():
    """The command walks the global app registry; put our temporary model in it meanwhile."""
    django_apps.register_model("core", Householder)
    yield
    del django_apps.all_models["core"]["householder"]
    django_apps.clear_cache()


def _tokens() -> list[tuple[str, str | None]]:
    with connection.cursor() as cursor:
        table = Householder._meta.db_table
        cursor.execute(f"SELECT id_number, mobile FROM {table} ORDER BY id")  # noqa: S608
        return list(cursor.fetchall())


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_data_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _householders(count: int) -> list[str]:
    numbers = [make_id_number("131128", datetime.date(1980, 1, 1), n) for n in range(1, count + 1)]
    for index, number in enumerate(numbers):
        mobile = f"138{index:08d}" if index % 2 == 0 else None
        Householder.objects.create(id_number=number, mobile=mobile)
    return numbers


@pytest.mark.django_db
@pytest.mark.usefixtures("householder_table", "discoverable")
def test_rotation_re_encrypts_everything_and_the_old_key_can_then_go():
    with only_k1():
        numbers = _householders(7)  # 7 ID numbers and 4 mobiles
        hashes = list(Householder.objects.order_by("pk").values_list("id_number_hash", flat=True))
    assert {token_key_id(t) for row in _tokens() for t in row if t} == {"k1"}

    with k2_then_k1():
        # Old values still decrypt under the new configuration, and look-ups still work.
        assert [h.id_number for h in Householder.objects.order_by("pk")] == numbers
        assert Householder.objects.get(id_number=numbers[3]).pk

        output = _rotate("--batch-size", "3")
        assert "core.Householder.id_number：7 个值，重新加密 7，已是当前密钥 0" in output
        assert "core.Householder.mobile：4 个值，重新加密 4，已是当前密钥 0" in output
        assert "可以从 CIVICGRID_DATA_KEYS 中删除旧密钥" in output
        rotated = _tokens()
        assert {token_key_id(t) for row in rotated for t in row if t} == {"k2"}

        # A second run finds nothing to do and rewrites nothing.
        output = _rotate()
        assert "core.Householder.id_number：7 个值，重新加密 0，已是当前密钥 7" in output
        assert _tokens() == rotated

    with only_k2():
        assert [h.id_number for h in Householder.objects.order_by("pk")] == numbers
        assert Householder.objects.filter(mobile__isnull=False).count() == 4
        assert list(
            Householder.objects.order_by("pk").values_list("id_number_hash", flat=True)
        ) == (hashes)
        assert Householder.objects.get(id_number=numbers[6]).id_number == numbers[6]


@pytest.mark.django_db
@pytest.mark.usefixtures("householder_table", "discoverable")
def test_a_dry_run_counts_without_writing():
    with only_k1():
        _householders(3)
    before = _tokens()
    with k2_then_k1():
        output = _rotate("--dry-run")
    assert "core.Householder.id_number：3 个值，需重新加密 3" in output
    assert "试运行" in output
    assert _tokens() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("householder_table", "discoverable")
def test_values_under_a_missing_key_are_reported_and_left_alone():
    with override_settings(CIVICGRID_DATA_KEYS=f"k0:{K0}", CIVICGRID_LOOKUP_KEY=LOOKUP):
        Householder.objects.create(id_number=make_id_number("131128", datetime.date(1970, 5, 5), 9))
    with only_k1():
        _householders(2)
    before = _tokens()
    with k2_then_k1():
        with pytest.raises(CommandError, match="1 个值无法解密") as caught:
            _rotate()
        assert "请勿删除旧密钥" in str(caught.value)
    after = _tokens()
    assert after[0] == before[0]  # the k0 value is untouched
    assert {token_key_id(row[0]) for row in after[1:]} == {"k2"}


@pytest.mark.django_db
def test_the_command_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size"):
        _rotate("--batch-size", "0")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_redraws_in_place_on_a_terminal_and_prints_lines_otherwise():
    from django.core.management.base import OutputWrapper

    terminal = _Terminal()
    bar = ProgressBar(OutputWrapper(terminal), total=4)
    bar.advance(1)
    bar.advance(3)
    assert terminal.getvalue().endswith("\r[##############################] 100% 4/4")
    assert "\r[#######.......................]  25% 1/4" in terminal.getvalue()

    log = io.StringIO()
    bar = ProgressBar(OutputWrapper(log), total=100)
    for _ in range(100):
        bar.advance(1)
    lines = log.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1] == "进度 100%（100/100）"
