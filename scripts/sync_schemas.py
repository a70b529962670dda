"""Copy the engine's theme schemas to templates/schemas/: ``python3 scripts/sync_schemas.py``.

A generated project's datapackage.json holds its theme's Table Schema inline,
and the template writes it with a Jinja include. Cookiecutter and copier can
only include files from the template's own folders, so the schemas that live
in the engine (engine/src/local_data_app/schemas/) are copied here, as
cookiecutter.json is written from questions.yml. A test fails while a copy differs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_SCHEMAS = ROOT / "engine" / "src" / "local_data_app" / "schemas"
COPIES = ROOT / "templates" / "schemas"


def main() -> int:
    COPIES.mkdir(parents=True, exist_ok=True)
    for stale in COPIES.glob("*.json"):
        if not (ENGINE_SCHEMAS / stale.name).is_file():
            stale.unlink()
    for schema in sorted(ENGINE_SCHEMAS.glob("*.json")):
        shutil.copyfile(schema, COPIES / schema.name)
        print(f"templates/schemas/{schema.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
