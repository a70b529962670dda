"""Errors the app reports to people, with a message that says what to fix."""

from typing import Any

LONGEST_SHOWN_VALUE = 80


def shown(value: Any) -> str:
    """An untrusted value quoted for an error message, cut short."""
    text = str(value)
    if len(text) > LONGEST_SHOWN_VALUE:
        text = text[:LONGEST_SHOWN_VALUE] + "..."
    return repr(text)


class AppError(Exception):
    """An error whose message is safe and useful to show as it is."""


class ConfigError(AppError):
    """place.toml, .env or the environment holds a setting the app cannot use."""


class SourceError(AppError):
    """A data source could not be read: the message names the source, where and what to fix."""


class StoreError(AppError):
    """The database could not be opened or written."""


class IngestRunning(AppError):
    """Another ingest into the same database holds its lock."""


class ExportError(AppError):
    """The static site could not be written: the message names the folder and what to do."""


class ClientError(AppError):
    """A request the client got wrong: its HTTP status, its OGC exception code, the parameter at fault if one is.

    The store, the OGC API layer and the pages raise it; the web app maps it
    to a JSON exception under /api and to an HTML page elsewhere, in one place.
    ``message`` is safe to show as it is: untrusted values in it are quoted and cut short.
    """

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter


def bad_parameter(name: str, message: str) -> ClientError:
    """A 400 for one query parameter; the message starts with the parameter's name."""
    return ClientError(400, "InvalidParameterValue", f"{name}: {message}", parameter=name)


def not_found(message: str) -> ClientError:
    """A 404: no collection, feature or page by that name."""
    return ClientError(404, "NotFound", message)
