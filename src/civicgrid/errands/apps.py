from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErrandsConfig(AppConfig):
    name = "civicgrid.errands"
    label = "errands"
    verbose_name = _("志愿服务")
