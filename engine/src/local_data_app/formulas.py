"""Cells that a spreadsheet would run as a formula, made plain text in every CSV the app writes.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets skip before them) is taken as a formula when a
CSV is opened in Excel or LibreOffice, so data from a source could run
``=HYPERLINK(...)`` or worse on a resident's or officer's machine. As OWASP
recommends for CSV injection, such a cell is written with a leading
apostrophe, which spreadsheets show as text. A number written as text
(``-2.36``, ``+44``) is left as it is: no spreadsheet runs it. The JSON and
GeoJSON the app serves keep every value exactly as loaded.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralised(text: str) -> str:
    """The text, with an apostrophe before it when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text
