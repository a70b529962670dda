"""``python -m local_data_app_template``."""

import sys

from local_data_app_template.cli import main

sys.exit(main())
