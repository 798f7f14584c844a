"""E-certificates in process: what signing, verifying, the online check and the documents cost.

    .venv/bin/python bench/bench_certificates.py            # a throwaway SQLite database
    DATABASE_URL=postgres://user@host/db .venv/bin/python bench/bench_certificates.py

No target in issue 8 for certificates; this records what one certificate costs, so that a
change to the payload, the QR code or the PDF shows up. It runs on a database made with
`migrate` in a throwaway directory, with the demo accounts and demo certificates loaded through
the actions, and times with the production key path (a configured Ed25519 key). Measured:
  issue            `do_issue_certificate` (validation, two writes, signing, audit, notification)
  sign / verify    Ed25519 over a real payload, and `signing.verify` of its QR string
  online check     `verification.check` (verify, look-up, state, the logged row)
  verify API       POST /api/v1/certificates/verify through Django's test client (no server)
  qr svg / pdf     the wallet's QR code (encoding it the first time; then memoised per
                   process) and the A4 PDF
Results go to bench/results/certificates.json with the load average (the machine is shared).
"""

import base64
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
RESULTS = REPO_DIR / "bench" / "results" / "certificates.json"


def _setup(data_dir: Path) -> None:
    os.environ["CIVICGRID_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'bench.sqlite3'}")
    os.environ["CIVICGRID_LOG_LEVEL"] = "WARNING"
    os.environ["CIVICGRID_CERTIFICATE_KEYS"] = "bench1:" + base64.b64encode(os.urandom(32)).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicgrid.settings"
    sys.path.insert(0, str(REPO_DIR / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo_region", verbosity=0)


def _timed(func, rounds: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cg-certificates-") as tmp:
        _setup(Path(tmp))
        from django.conf import settings
        from django.test import Client, RequestFactory

        from civicgrid.accounts.demo import do_load_demo_accounts
        from civicgrid.accounts.models import User
        from civicgrid.certificates import actions, documents, signing, verification
        from civicgrid.certificates.demo import _enterprise_certificates, do_load_demo_certificates
        from civicgrid.certificates.models import Certificate

        # The API's per-network limit (60 a minute) would stop the loop; its count query is
        # still made on every call, so the figure includes it.
        settings.CERTIFICATE_VERIFICATIONS_PER_MINUTE = 10**9
        do_load_demo_accounts()
        do_load_demo_certificates()
        clerk = User.objects.get(username="development_clerk")
        certificate = Certificate.objects.get(type__code="investment_project_approval")
        enterprise = certificate.holder_organisation
        type_code, fields = _enterprise_certificates()[0]
        code = documents.code_of(certificate)
        payload = json.loads(certificate.payload)
        payload.pop("kid")
        keys = signing.public_keys()
        request = RequestFactory().get("/")
        qr = documents.qr_content(certificate, request)
        client = Client()

        def issue() -> None:
            actions.do_issue_certificate(
                clerk,
                type_code=type_code,
                holder_organisation=enterprise,
                subject_name=enterprise.name,
                subject_number=enterprise.credit_code,
                fields=fields,
            )

        def api() -> None:
            response = client.post(
                "/api/v1/certificates/verify", {"code": code}, content_type="application/json"
            )
            if response.json()["result"] != "valid":
                raise RuntimeError(response.content)

        results = {
            "database": os.environ["DATABASE_URL"].split(":", 1)[0],
            "payload_bytes": len(certificate.payload.encode()),
            "qr_characters": len(qr),
            "issue": _timed(issue, 200),
            "sign": _timed(lambda: signing.sign(payload), 2000),
            "verify_offline": _timed(lambda: signing.verify(code, keys), 2000),
            "online_check": _timed(lambda: verification.check(code, channel="api"), 500),
            "verify_api": _timed(api, 500),
            "qr_svg_first": _timed(lambda: documents._qr.__wrapped__(qr), 20),
            "qr_svg_cached": _timed(lambda: documents.qr_svg(qr), 100),
            "pdf": _timed(lambda: documents.certificate_pdf(certificate, qr), 50),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, value in results.items():
        print(f"{name:<16} {value}")


if __name__ == "__main__":
    main()
