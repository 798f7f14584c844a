from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpidemicConfig(AppConfig):
    name = "civicgrid.epidemic"
    label = "epidemic"
    verbose_name = _("疫情防控管理信息平台")

    def ready(self) -> None:
        from civicgrid.epidemic import definitions  # noqa: F401 - connects its signal handlers
        from civicgrid.epidemic.receivers import key_person_follows_the_mover
        from civicgrid.population.signals import person_grid_changed

        person_grid_changed.connect(
            key_person_follows_the_mover, dispatch_uid="epidemic_key_person_follows_mover"
        )
