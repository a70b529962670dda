"""Build the engine's copy of the GOV.UK Frontend styles, without the crown or the GOV.UK font.

The pages take their look from GOV.UK Frontend, the Government Digital
Service's design system, from the npm registry under MIT. The GOV.UK Design
System lets services off GOV.UK use it on two conditions: no crown, and no GDS
Transport font (both are for GOV.UK alone). So this script does not ship the
package's prebuilt stylesheet, which declares the font; it compiles the
package's Sass with the system's own fonts (``$govuk-font-family`` below) and
``$govuk-include-default-font-face: false``, and only the components the pages
use, so a phone fetches a fraction of the whole. The GOV.UK header is left
out (the pages draw the organisation's own band, app.css), and the footer's
crest rules are removed from the output; the check below refuses a build that
names the font or any image or font file, which the engine does not ship.

No JavaScript is taken: every component used works without it (the details
element is the browser's own; the error summary is focused by app.js).

Run ``python3 scripts/vendor_govuk_frontend.py`` to rebuild after changing
``VERSION`` or ``COMPONENTS``; it needs npm and writes
``engine/src/local_data_app/web/static/vendor/govuk-frontend/``:
``govuk-frontend.min.css``, ``LICENSE`` and ``README.md`` (how it was built).
``--check`` exits non-zero when the files there differ from a fresh build.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "engine" / "src" / "local_data_app" / "web" / "static" / "vendor" / "govuk-frontend"
VERSION = "5.14.0"  # GOV.UK Frontend, pinned: a new version is a deliberate rebuild and review
SASS_VERSION = "1.97.3"  # Dart Sass, the compiler GOV.UK Frontend documents
STYLESHEET = "govuk-frontend.min.css"
# The components the templates use, in GOV.UK Frontend's own order (a component's index imports what it needs).
COMPONENTS = (
    "back-link",
    "button",
    "checkboxes",
    "details",
    "error-message",
    "error-summary",
    "fieldset",
    "footer",
    "hint",
    "input",
    "inset-text",
    "label",
    "pagination",
    "select",
    "service-navigation",
    "skip-link",
    "summary-list",
    "table",
)
# The system's own sans-serif fonts, in place of GDS Transport, which only GOV.UK may use.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
# Global styles: every <a> a GOV.UK link and every <p> GOV.UK body text, since many sit inside translated strings.
SETTINGS = f"""\
$govuk-font-family: {FONT_FAMILY};
$govuk-include-default-font-face: false;
$govuk-global-styles: true;
"""
# The package declares MIT in package.json but ships no licence file; this is its repository's LICENSE.txt.
LICENCE = """\
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
FORBIDDEN = ("GDS Transport", "url(")  # the GOV.UK font, and any file (font, image) the engine does not ship
# The footer's Royal Arms crest, which only GOV.UK may show: its rules (and the blocks they leave empty) are removed.
CREST_RULE = re.compile(r"\.govuk-footer__copyright-logo[^{},]*\{[^{}]*\}")
EMPTY_BLOCK = re.compile(r"@(?:supports|media)[^{}]*\{\}")


def entry() -> str:
    """The Sass that compiles: the settings, GOV.UK Frontend's base, core and objects, the components, utilities.

    The overrides (``govuk-!-*`` classes, a fifth of the whole) are left out: the pages do not use them.
    """
    parts = [SETTINGS, '@import "govuk-frontend/dist/govuk/base";']
    parts += [f'@import "govuk-frontend/dist/govuk/{group}/index";' for group in ("core", "objects")]
    parts += [f'@import "govuk-frontend/dist/govuk/components/{name}/index";' for name in COMPONENTS]
    parts += ['@import "govuk-frontend/dist/govuk/utilities/index";']
    return "\n".join(parts) + "\n"


def readme(css: bytes) -> str:
    """What the folder holds and how it was made, with the sizes a page fetches."""
    components = ", ".join(COMPONENTS)
    return f"""\
# GOV.UK Frontend {VERSION}, styles only

`{STYLESHEET}` is compiled from the Sass of the npm package `govuk-frontend@{VERSION}`
(MIT, see `LICENSE`; Crown copyright, Government Digital Service) by
`scripts/vendor_govuk_frontend.py` with Dart Sass {SASS_VERSION}, compressed. Do not edit it: change
the script and run it again.

- Fonts: `$govuk-font-family: {FONT_FAMILY}` and
  `$govuk-include-default-font-face: false`, so no page uses or loads GDS Transport, the font only
  GOV.UK may use.
- `$govuk-global-styles: true`: every link is styled as `govuk-link` and every paragraph as
  `govuk-body`, since many sit inside translated sentences that carry no class.
- No crown: the GOV.UK header is not compiled (the pages draw the organisation's own band, in
  `app.css`), the footer's crest rules are removed after compiling, and the stylesheet refers to no
  image or font file.
- Components: {components}; with GOV.UK Frontend's settings, tools, helpers, core (typography,
  links, lists), objects (width container, grid, form group) and utilities (visually hidden,
  clearfix). The `govuk-!-*` override classes are left out: the pages do not use them.
- No JavaScript: every component used works without it.

Size: {len(css):,} bytes, {len(gzip.compress(css, compresslevel=6)):,} gzipped.
"""


def build(work: Path) -> bytes:
    """The compiled stylesheet, from the pinned packages installed by npm into ``work``."""
    npm = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save"]
    subprocess.run([*npm, f"govuk-frontend@{VERSION}", f"sass@{SASS_VERSION}"], cwd=work, check=True)
    package = json.loads((work / "node_modules" / "govuk-frontend" / "package.json").read_text(encoding="utf-8"))
    if (package["version"], package["license"]) != (VERSION, "MIT"):
        sys.exit(f"npm gave govuk-frontend {package['version']} under {package['license']}, not {VERSION} under MIT")
    (work / "entry.scss").write_text(entry(), encoding="utf-8")
    sass = work / "node_modules" / ".bin" / "sass"
    options = ["--style=compressed", "--no-source-map", "--quiet-deps", "--silence-deprecation=import"]
    subprocess.run([str(sass), *options, "--load-path=node_modules", "entry.scss", "out.css"], cwd=work, check=True)
    css = EMPTY_BLOCK.sub("", CREST_RULE.sub("", (work / "out.css").read_text(encoding="utf-8"))).strip()
    found = [word for word in FORBIDDEN if word in css]
    if found:
        sys.exit(f"the compiled stylesheet contains {', '.join(found)}: leave out the component that brings it")
    banner = f"/*! GOV.UK Frontend {VERSION} (MIT), styles only, built by scripts/vendor_govuk_frontend.py */\n"
    return (banner + css + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the vendored files differ from a build")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        css = build(Path(work))
    files = {STYLESHEET: css, "LICENSE": LICENCE.encode("utf-8"), "README.md": readme(css).encode("utf-8")}
    if arguments.check:
        stale = [
            name
            for name, data in files.items()
            if not (TARGET / name).is_file() or (TARGET / name).read_bytes() != data
        ]
        for name in stale:
            print(f"{TARGET / name} is out of date: run python3 scripts/vendor_govuk_frontend.py", file=sys.stderr)
        return 1 if stale else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (TARGET / name).write_bytes(data)
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(css):,} bytes, {len(gzip.compress(css, compresslevel=6)):,} gzipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
