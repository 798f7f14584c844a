from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "civicgrid.community"
    label = "community"
    verbose_name = _("社区大脑")
