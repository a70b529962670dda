"""The organisation's look on every page: its colour on the header band and its logo in it ([brand] in place.toml).

Both are optional; without them the pages look as the engine ships them. The
colour is refused unless white text on it meets WCAG 2.2 AA (contrast.py),
since the header's words sit on it. The logo is a file of the project, an SVG
or a PNG of at most :data:`MAX_LOGO_BYTES`, read once when the settings load;
a path that leaves the project (``..``, an absolute path, a link pointing
outside) is refused, so the setting can never serve another file of the server.

The pages' security policy forbids inline styles, so the colour reaches them
as a small stylesheet made from the settings, ``static/brand.css``, which sets
the custom properties that ``static/app.css`` reads. The live app serves it
and the logo among its static files (web/assets.py), and the export writes
them beside the others.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .contrast import AA_TEXT, WHITE, contrast_ratio, darker_passing, shown

STYLESHEET = "brand.css"  # under static/: the colour as CSS custom properties
LOGO = "brand-logo"  # under static/, with the logo's own suffix
LOGO_SUFFIXES = (".svg", ".png")
MAX_LOGO_BYTES = 100_000  # a header logo is a few kilobytes; this bounds what every page makes a phone fetch
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def colour_problem(colour: str) -> str | None:
    """Why white header text cannot be read on ``colour``, with the ratio and a darker colour that passes; or None."""
    ratio = contrast_ratio(colour, WHITE)
    if ratio >= AA_TEXT:
        return None
    return (
        f"white text on {colour} has a contrast ratio of {shown(ratio)}, below the {AA_TEXT}:1 that WCAG 2.2 AA asks "
        f"for text, so the header's words would be hard to read on it: choose a darker colour, such as "
        f"{darker_passing(colour)} (the same colour darkened)"
    )


def logo_path_problem(path: str) -> str | None:
    """What is wrong with a logo's path as written, before any file is read; None when it is a fit shape."""
    parts = PurePosixPath(path.replace("\\", "/"))
    if parts.is_absolute() or ":" in path or ".." in parts.parts:
        return "expected a path inside the project, relative to place.toml, such as static/logo.svg"
    if parts.suffix.lower() not in LOGO_SUFFIXES:
        return f"expected an SVG or PNG file, whose name ends {' or '.join(LOGO_SUFFIXES)}"
    return None


def read_logo(path: str, project_dir: Path) -> bytes:
    """The logo's bytes; ValueError saying what to fix when it is outside the project, missing, too big or not one."""
    problem = logo_path_problem(path)
    if problem:
        raise ValueError(problem)
    root = project_dir.resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root):
        raise ValueError(
            "the file it names is outside the project (a link points away from it): copy the logo into the project, "
            "such as to static/logo.svg, and name that"
        )
    if not file.is_file():
        raise ValueError(f"there is no file at {path} in the project: put the logo there or correct the path")
    size = file.stat().st_size
    if size > MAX_LOGO_BYTES:
        raise ValueError(
            f"the file is {size:,} bytes, more than the {MAX_LOGO_BYTES:,} a logo on every page may be: "
            "use an SVG, or a smaller PNG (a header shows it about 40 pixels high)"
        )
    data = file.read_bytes()
    suffix = file.suffix.lower()
    if suffix == ".png" and not data.startswith(PNG_SIGNATURE):
        raise ValueError("the file is not a PNG image: export the logo as PNG or SVG")
    if suffix == ".svg" and not _looks_like_svg(data):
        raise ValueError("the file is not an SVG image (UTF-8 text with an <svg> element): export the logo as SVG")
    return data


def _looks_like_svg(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "<svg" in text


def logo_file(path: str | None) -> str | None:
    """The logo's name among the static files, keeping its kind: ``brand-logo.svg``."""
    return LOGO + PurePosixPath(path).suffix.lower() if path else None


def stylesheet(colour: str) -> str:
    """The stylesheet that puts the colour on the pages, through the custom properties app.css reads."""
    return (
        "/* Made from [brand] colour in place.toml by the app: white text on it has a contrast ratio of "
        f"{shown(contrast_ratio(colour, WHITE))}. */\n"
        ":root {\n"
        f"  --brand-colour: {colour};\n"
        "}\n"
    )


def files(colour: str | None, logo: str | None, project_dir: Path | None) -> dict[str, bytes]:
    """The static files the brand adds, by name under static/: the stylesheet and the logo, each when set."""
    made: dict[str, bytes] = {}
    if colour:
        made[STYLESHEET] = stylesheet(colour).encode("utf-8")
    name = logo_file(logo)
    if logo and name and project_dir is not None:
        made[name] = read_logo(logo, project_dir)
    return made
