from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "civicgrid.certificates"
    label = "certificates"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        from civicgrid.certificates import checks  # noqa: F401 - registers the key checks
