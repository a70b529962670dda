"""Run the app's command line: ``python -m local_data_app``."""

import sys

from .cli import main

sys.exit(main())
