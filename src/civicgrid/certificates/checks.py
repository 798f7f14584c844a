"""System checks of the certificate signing keys (run at start-up and by `manage check`)."""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from civicgrid.certificates import signing


@checks.register(checks.Tags.security, deploy=False)
def check_signing_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001: no key in production; E002: a malformed key anywhere."""
    text = signing.configured_key_text()
    try:
        keys = signing.parse_keys(text)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="certificates.E002")]
    if not keys and signing.is_production():
        return [
            checks.Error(
                f"CIVICGRID_ENV=production 时必须设置 {signing.ENVIRONMENT_VARIABLE}"
                "（电子证照签名密钥），否则无法签发电子证照。",
                hint="生成：python -c \"import base64,os;print('k1:'+base64.b64encode(os.urandom(32)).decode())\"",
                id="certificates.E001",
            )
        ]
    return []
