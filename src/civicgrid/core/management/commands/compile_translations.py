"""Compile the project's .po catalogues to .mo with polib, so no GNU gettext is needed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "把项目的 .po 翻译文件编译为 .mo（不依赖 GNU gettext）。"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for locale_dir in map(Path, settings.LOCALE_PATHS):
            for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                if options["verbosity"] > 0:
                    self.stdout.write(f"{po_path} -> {mo_path.name}")
