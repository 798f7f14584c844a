"""Offline verification: the standalone script with only the published key file.

The script runs in a separate, isolated interpreter (`python -I`, from a directory outside the
project), as a verifier would run it: it may import `cryptography` and nothing of CivicGrid.
"""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from civicgrid.certificates import signing
from civicgrid.certificates.tests import factories as f

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "verify_certificate.py"


def run(tmp_path: Path, code: str, keys: dict[str, str], *extra: str):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys), encoding="utf-8")
    return subprocess.run(  # noqa: S603 - our own script, our own arguments
        [sys.executable, "-I", str(SCRIPT), code, "--keys", str(keys_file), *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def _code(certificate) -> str:
    return signing.code_of(certificate.payload, certificate.signature)


def _parts(code: str) -> tuple[bytes, str]:
    _, payload, signature = code.split(".")
    return signing.unb64(payload), signature


@pytest.fixture
def approval_code(personas):
    return _code(f.approval(personas))


@pytest.mark.django_db
def test_a_valid_certificate_verifies_offline_with_the_published_keys(
    tmp_path, approval_code, client
):
    published = client.get("/certificates/keys.json").json()
    result = run(tmp_path, approval_code, published)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "签名有效" in result.stdout
    assert "阜城县示例机械制造有限公司" in result.stdout
    assert "911311********MP1W" in result.stdout
    assert f.APPROVAL_FIELDS["project_name"] in result.stdout
    as_json = json.loads(run(tmp_path, approval_code, published, "--json").stdout)
    assert as_json["valid"] and as_json["payload"]["issuer"] == "阜城县发展和改革局"


@pytest.mark.django_db
def test_the_script_reads_the_code_from_a_file_or_a_url(tmp_path, approval_code):
    code_file = tmp_path / "code.txt"
    code_file.write_text(f"https://example.org/certificates/v/{approval_code}/\n")
    result = run(tmp_path, str(code_file), signing.public_keys())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_a_tampered_payload_byte_fails(tmp_path, approval_code):
    payload, signature = _parts(approval_code)
    at = payload.index(b"18600")
    tampered = payload[:at] + b"9" + payload[at + 1 :]
    result = run(tmp_path, f"CGC1.{signing.b64u(tampered)}.{signature}", signing.public_keys())
    assert result.returncode == 1
    assert "签名无效" in result.stdout


@pytest.mark.django_db
def test_a_changed_field_re_encoded_canonically_fails(tmp_path, approval_code):
    payload, signature = _parts(approval_code)
    document = json.loads(payload)
    document["expires"] = "2099-12-31"
    forged = signing.canonical(document)
    result = run(tmp_path, f"CGC1.{signing.b64u(forged)}.{signature}", signing.public_keys())
    assert result.returncode == 1
    assert "签名无效" in result.stdout


@pytest.mark.django_db
def test_a_wrong_key_under_the_same_id_fails(tmp_path, approval_code):
    kid = json.loads(_parts(approval_code)[0])["kid"]
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    result = run(tmp_path, approval_code, {kid: base64.b64encode(other).decode()})
    assert result.returncode == 1
    assert "签名无效" in result.stdout


@pytest.mark.django_db
def test_an_unknown_key_id_fails(tmp_path, approval_code):
    result = run(
        tmp_path, approval_code, {"someone-else": next(iter(signing.public_keys().values()))}
    )
    assert result.returncode == 1
    assert "不在公钥文件中" in result.stdout


@pytest.mark.django_db
def test_a_truncated_signature_fails(tmp_path, approval_code):
    for cut in (1, 4, 40):
        result = run(tmp_path, approval_code[:-cut], signing.public_keys())
        assert result.returncode == 1, cut


@pytest.mark.django_db
def test_the_python_api_agrees_with_the_script(approval_code):
    payload, signature = _parts(approval_code)
    keys = signing.public_keys()
    assert signing.verify(approval_code, keys)["v"] == 1
    for bad in (
        f"CGC1.{signing.b64u(payload.replace(b'18600', b'98600'))}.{signature}",
        approval_code[:-3],
    ):
        with pytest.raises(signing.VerificationError):
            signing.verify(bad, keys)


def test_garbage_and_a_broken_key_file_are_told_apart(tmp_path):
    result = run(tmp_path, "not a certificate", {"k": "AAAA"})
    assert result.returncode == 1 and "CGC1" in result.stdout
    bad_keys = tmp_path / "broken.json"
    bad_keys.write_text("[1, 2")
    result = subprocess.run(  # noqa: S603 - our own script, our own arguments
        [sys.executable, "-I", str(SCRIPT), "CGC1.e30.AAAA", "--keys", str(bad_keys)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "公钥文件" in result.stderr
