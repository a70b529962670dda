"""Run the app's command line: ``python -m {{ cookiecutter.package_name }}``."""

import sys

from .cli import main

sys.exit(main())
