from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "civicgrid.community"
    label = "community"
    verbose_name = _("社区大脑")

    def ready(self) -> None:
        from civicgrid.community.worklist import open_alerts
        from civicgrid.population.worklist_sections import add_section

        add_section(open_alerts)
