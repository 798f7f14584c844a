"""Signing keys from configuration, rotation, the development key, and the payload format."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.exceptions import ImproperlyConfigured

from civicgrid.certificates import signing
from civicgrid.certificates.checks import check_signing_keys


def key_text(key_id: str) -> tuple[str, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return f"{key_id}:{base64.b64encode(raw).decode()}", private


def test_the_first_configured_key_signs_and_every_listed_key_verifies(settings):
    new, _ = key_text("k2")
    old, old_private = key_text("k1")
    settings.CERTIFICATE_SIGNING_KEYS = f"{new},{old}"
    assert signing.current_key().key_id == "k2"
    assert set(signing.public_keys()) == {"k2", "k1"}
    signed = signing.sign({"v": 1, "no": "X"})
    assert json.loads(signed.payload)["kid"] == "k2"
    # A certificate signed before the rotation still verifies with the published keys.
    before = signing.sign({"v": 1, "no": "Y"}, signing.SigningKey("k1", old_private))
    assert signing.verify(before.code, signing.public_keys())["no"] == "Y"
    # ... and no longer once the old key is dropped from the list.
    settings.CERTIFICATE_SIGNING_KEYS = new
    with pytest.raises(signing.VerificationError) as caught:
        signing.verify(before.code, signing.public_keys())
    assert caught.value.code == "unknown_key"


def test_the_environment_variable_is_read_when_the_setting_is_absent(settings, monkeypatch):
    text, _ = key_text("env1")
    del settings.CERTIFICATE_SIGNING_KEYS
    monkeypatch.setenv("CIVICGRID_CERTIFICATE_KEYS", text)
    assert signing.current_key().key_id == "env1"


def test_base64url_and_unpadded_keys_are_accepted(settings):
    _, private = key_text("x")
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.CERTIFICATE_SIGNING_KEYS = f"u1:{signing.b64u(raw)}"
    assert signing.current_key().public_text == signing.SigningKey("u1", private).public_text


@pytest.mark.parametrize(
    "text",
    [
        "no-colon-here",
        # Fixed bytes, not random: xdist workers must collect the same test ids.
        "bad id!:" + base64.b64encode(bytes(range(32))).decode(),
        "short:" + base64.b64encode(bytes(range(16))).decode(),
        "notb64:@@@@",
        "dup:"
        + base64.b64encode(bytes(32)).decode()
        + ",dup:"
        + base64.b64encode(bytes(32)).decode(),
    ],
)
def test_a_malformed_key_fails_the_system_check_and_refuses_to_sign(settings, text):
    settings.CERTIFICATE_SIGNING_KEYS = text
    errors = check_signing_keys()
    assert [e.id for e in errors] == ["certificates.E002"]
    with pytest.raises(ImproperlyConfigured):
        signing.current_key()


def test_development_derives_a_stable_key_and_says_so(settings, monkeypatch):
    settings.CERTIFICATE_SIGNING_KEYS = ""
    monkeypatch.delenv("CIVICGRID_CERTIFICATE_KEYS", raising=False)
    settings.PRODUCTION = False
    first = signing.current_key()
    assert first.development and first.key_id.startswith("dev-")
    assert signing.current_key().public_text == first.public_text
    assert check_signing_keys() == []
    settings.SECRET_KEY = "another-installation"
    assert signing.current_key().key_id != first.key_id


def test_production_without_a_key_fails_the_check_and_refuses_to_sign(settings, monkeypatch):
    settings.CERTIFICATE_SIGNING_KEYS = ""
    monkeypatch.delenv("CIVICGRID_CERTIFICATE_KEYS", raising=False)
    settings.PRODUCTION = True
    assert [e.id for e in check_signing_keys()] == ["certificates.E001"]
    with pytest.raises(ImproperlyConfigured):
        signing.sign({"v": 1})
    text, _ = key_text("prod1")
    settings.CERTIFICATE_SIGNING_KEYS = text
    assert check_signing_keys() == []
    assert signing.current_key().key_id == "prod1"


def test_the_payload_is_canonical_json_and_the_signature_covers_exactly_it():
    data = signing.canonical({"b": "营业执照", "a": 1, "c": None})
    assert data == '{"a":1,"b":"营业执照","c":null}'.encode()
    signed = signing.sign({"v": 1, "b": "营业执照"})
    prefix, payload, signature = signed.code.split(".")
    assert prefix == "CGC1"
    assert signing.unb64(payload) == signed.payload
    assert len(signing.unb64(signature)) == 64
    assert "=" not in signed.code


def test_the_code_is_found_at_the_end_of_a_verification_url():
    signed = signing.sign({"v": 1, "no": "Z"})
    url = f"https://civicgrid.example/certificates/v/{signed.code}/"
    assert signing.verify(url, signing.public_keys())["no"] == "Z"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "malformed"),
        ("hello", "malformed"),
        ("CGC1.@@@.###", "malformed"),
        ("CGC1.e30.AAAA", "bad_signature"),  # "{}" with a junk signature: no key id
        ("CGC1." + signing.b64u(b"\xff\xfe") + ".AAAA", "bad_signature"),
        ("CGC1." + signing.b64u(b'{"kid":"nobody","v":1}') + ".AAAA", "unknown_key"),
    ],
)
def test_garbage_gets_a_named_refusal(text, code):
    with pytest.raises(signing.VerificationError) as caught:
        signing.verify(text, signing.public_keys())
    assert caught.value.code == code
    assert caught.value.message
