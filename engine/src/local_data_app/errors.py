"""Errors the app reports to people, with a message that says what to fix."""


class AppError(Exception):
    """An error whose message is safe and useful to show as it is."""


class ConfigError(AppError):
    """place.toml, .env or the environment holds a setting the app cannot use."""


class SourceError(AppError):
    """A data source could not be read: the message names the source, where and what to fix."""


class StoreError(AppError):
    """The database could not be opened or written."""


class ExportError(AppError):
    """The static site could not be written: the message names the folder and what to do."""
