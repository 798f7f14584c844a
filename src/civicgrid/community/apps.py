from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "civicgrid.community"
    label = "community"
    verbose_name = _("社区大脑")

    def ready(self) -> None:
        from civicgrid.community.receivers import (
            hand_open_alerts_about_a_mover_to_the_new_grid,
            hand_open_alerts_to_the_new_grid,
        )
        from civicgrid.community.worklist import household_figures, open_alerts
        from civicgrid.population.extensions import HOUSEHOLD_PANELS, WORKLIST_SECTIONS
        from civicgrid.population.signals import household_grid_changed, person_grid_changed

        WORKLIST_SECTIONS.add(open_alerts)
        HOUSEHOLD_PANELS.add(household_figures)
        household_grid_changed.connect(
            hand_open_alerts_to_the_new_grid, dispatch_uid="community_alerts_follow_grid"
        )
        person_grid_changed.connect(
            hand_open_alerts_about_a_mover_to_the_new_grid,
            dispatch_uid="community_alerts_follow_mover",
        )
