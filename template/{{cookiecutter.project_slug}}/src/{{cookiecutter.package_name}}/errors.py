"""Errors the app reports to people, with a message that says what to fix."""


class AppError(Exception):
    """An error whose message is safe and useful to show as it is."""


class ConfigError(AppError):
    """place.toml, .env or the environment holds a setting the app cannot use."""
