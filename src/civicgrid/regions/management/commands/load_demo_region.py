"""Load the demo region: all of Hebei's divisions (2023 codes) and grids for the demo places."""

from django.core.management.base import BaseCommand

from civicgrid.regions.actions import do_generate_demo_grids, do_import_divisions
from civicgrid.regions.division_files import PACKAGED_HEBEI, read_division_rows

# In the places of the source article, 阜城县 (Hengshui) and Qinhuangdao's development zone:
# the county town and one street, whose grids the demo then fills with ~330 households each.
DEMO_GRID_AREAS = {
    "131128100000": "阜城县阜城镇",
    "130371005000": "秦皇岛市经济技术开发区船厂路街道",
}


class Command(BaseCommand):
    help = "载入演示地区：河北省全部区划（2023 年统计用区划代码）及演示网格。可重复执行。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = do_import_divisions(read_division_rows(PACKAGED_HEBEI.read_bytes()))
        self.stdout.write(
            f"区划：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        )
        for code, name in DEMO_GRID_AREAS.items():
            created = do_generate_demo_grids(code)
            self.stdout.write(f"{name}：新增网格 {created}")
