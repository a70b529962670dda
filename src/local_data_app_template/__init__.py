"""The local data app template, packaged so that a PyPI mirror is all a council network needs to reach."""
