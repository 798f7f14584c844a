#!/usr/bin/env python3
"""Verify a CivicGrid e-certificate offline: only Python 3.9+ and `cryptography` are needed.

    python verify_certificate.py CODE --keys keys.json
    python verify_certificate.py code.txt --keys keys.json      # a file holding the code
    python verify_certificate.py - --keys keys.json < code.txt  # or standard input

CODE is what the certificate's QR code holds: `CGC1.<payload>.<signature>` (base64url), alone
or at the end of the platform's verification URL. keys.json is the platform's published key
list (`/certificates/keys.json` or `/api/v1/certificates/keys`): {"key id": "base64 public key"}.

The signature is Ed25519 over the exact payload bytes (canonical JSON: sorted keys, compact,
UTF-8); the payload names its key (`kid`). A valid signature proves the platform issued these
words unchanged. Whether the issuer revoked the certificate since, only the platform knows:
check online for that. Exit status: 0 valid, 1 invalid, 2 usage error.

This file is deliberately standalone (copy it anywhere); it shares no code with the platform.
"""

import argparse
import base64
import binascii
import datetime
import json
import re
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CODE = re.compile(r"CGC1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")
SUPPORTED_VERSION = 1
LABELS = [
    ("no", "证照编号"),
    ("type_name", "证照类型"),
    ("subject", "持证主体"),
    ("subject_no", "证件号码"),
    ("issuer", "发证机构"),
    ("issued", "签发日期"),
    ("valid_from", "有效期起"),
    ("expires", "有效期至"),
    ("kid", "签名密钥"),
]


class Invalid(Exception):
    pass


def decode(text):
    """base64url (or base64), padding optional; raises Invalid on anything else."""
    text = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("内容不是有效的 base64 编码") from None


def load_keys(path):
    try:
        keys = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        usage_error(f"无法读取公钥文件 {path}：{exc}")
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        usage_error(f'公钥文件 {path} 应为 {{"密钥标识": "base64 公钥"}}')
    return keys


def usage_error(message):
    print(message, file=sys.stderr)
    raise SystemExit(2)


def read_code(argument):
    if argument == "-":
        return sys.stdin.read()
    path = Path(argument)
    if not argument.lstrip().startswith(("CGC1.", "http")) and path.is_file():
        return path.read_text(encoding="utf-8")
    return argument


def verify(code_text, keys):
    """The verified payload (a dict); Invalid with the reason otherwise."""
    match = CODE.search(code_text)
    if match is None:
        raise Invalid("找不到以 CGC1. 开头的证照代码")
    payload, signature = decode(match.group(1)), decode(match.group(2))
    try:
        document = json.loads(payload.decode("utf-8"))
    except ValueError:
        raise Invalid("签名内容不是有效的 JSON（已被改动）") from None
    if not isinstance(document, dict) or not isinstance(document.get("kid"), str):
        raise Invalid("签名内容缺少签名密钥标识（已被改动）")
    public_text = keys.get(document["kid"])
    if public_text is None:
        raise Invalid(f"签名密钥 {document['kid']!r} 不在公钥文件中")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(decode(public_text))
    except ValueError:
        raise Invalid(f"公钥文件中 {document['kid']!r} 不是 Ed25519 公钥") from None
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        raise Invalid("签名无效：内容被改动，或不是用该密钥签发") from None
    if document.get("v") != SUPPORTED_VERSION:
        raise Invalid(f"不支持的证照版本 {document.get('v')!r}")
    return document


def report(document, today):
    lines = ["签名有效：本证照由平台签发，内容未被改动。"]
    for key, label in LABELS:
        value = document.get(key)
        lines.append(f"  {label}：{'长期' if key == 'expires' and value is None else value}")
    for label, value in (document.get("fields") or {}).items():
        lines.append(f"  {label}：{value}")
    expires = document.get("expires")
    if expires and expires < today.isoformat():
        lines.append("注意：证照已超过有效期。")
    lines.append("是否已被撤销，请在线核验（扫描二维码）。")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="离线核验 CivicGrid 电子证照")
    parser.add_argument("code", help="二维码内容、含有它的文件，或 - 表示标准输入")
    parser.add_argument("--keys", required=True, help="公布的公钥 JSON 文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    args = parser.parse_args(argv)
    keys = load_keys(args.keys)
    try:
        document = verify(read_code(args.code), keys)
    except Invalid as exc:
        if args.json:
            print(json.dumps({"valid": False, "reason": str(exc)}, ensure_ascii=False))
        else:
            print(f"无效：{exc}")
        return 1
    if args.json:
        print(json.dumps({"valid": True, "payload": document}, ensure_ascii=False))
    else:
        print(report(document, datetime.date.today()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
