from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemicConfig(AppConfig):
    name = "civicgrid.epidemic"
    label = "epidemic"
    verbose_name = _("疫情防控管理信息平台")

    def ready(self) -> None:
        from civicgrid.epidemic import definitions  # noqa: F401 - connects its signal handlers
