"""The garbage collector and a serving app: what the app made as it started is frozen while it serves, and only then."""

from __future__ import annotations

import gc
from pathlib import Path

from conftest import clean_settings_environment, get, write_project

from local_data_app.config import load_settings
from local_data_app.testing import running
from local_data_app.web import create_app

FEWEST_FROZEN = 10_000  # objects: an app's routes, models, settings and schema are far more


def test_the_apps_startup_objects_are_frozen_while_it_serves_and_released_when_it_stops(tmp_path: Path) -> None:
    """Full collections skip the app's own objects while it serves; after shutdown they can be collected again."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with clean_settings_environment():
        app = create_app(load_settings(write_project(tmp_path / "project")))
        with running(app) as base:
            assert get(base + "/healthz").status == 200
            assert gc.get_freeze_count() >= FEWEST_FROZEN
    assert gc.get_freeze_count() == 0
