import sys
import threading

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "civicgrid.catalog"
    label = "catalog"
    verbose_name = _("服务事项目录")

    def ready(self) -> None:
        from civicgrid.catalog import signals

        signals.connect()
        # In a web server's worker, load jieba's dictionary (about half a second) beside start-up
        # rather than inside the first search. Commands and tests load it when they need it.
        if "granian" in sys.modules:
            from civicgrid.catalog.segmentation import warm_up

            threading.Thread(target=warm_up, name="jieba-warm-up", daemon=True).start()
