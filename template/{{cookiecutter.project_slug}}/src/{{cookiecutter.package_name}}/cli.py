"""The app's command line: the engine's commands (``ingest``, ``serve``, ``check``, ...) run for this project.

The commands live in the local-data-app engine, so a fix to them arrives with
a new engine version; this project gives them its name and version.
"""

from collections.abc import Sequence

from local_data_app.cli import main as run_command

DISTRIBUTION = "{{ cookiecutter.project_slug }}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (the arguments given, else the command line's) and return its exit status."""
    return run_command(argv, project=DISTRIBUTION)
