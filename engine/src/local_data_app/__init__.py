"""The engine of local open data apps: one versioned package that every generated project depends on.

A project made from the template holds its place.toml, data, docs and
licences; this package holds the code that reads, checks, stores and serves
that data, so a fix reaches every project with a version bump.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("local-data-app")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
