"""The map centre in the country of the area's GSS code: a Welsh code with the map over England is a mistake.

A GSS code's letter names the country of its area: E England, W Wales, S
Scotland, N Northern Ireland (K codes span more than one, and are not
judged). Each country is given a generous box of latitudes and longitudes,
wider than the country itself; only a map centre outside the box of its
code's country is reported, so a centre near a border, inside two boxes,
never is. The boxes overlap along the borders on purpose: the check names
only what is clearly wrong, such as an area copied from another project (a
W06 code left in a project centred on Trafford, or the other way round).
With several [[areas]], the centre has to be in the box of at least one of
their countries.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import publication
from .base import Check, Finding, Project, Result
from .toml_lines import line_of

ID = "area-country"
TITLE = "Map centre in the country of the area's code"


@dataclass(frozen=True)
class Country:
    """A country of the United Kingdom and a box around it, in WGS84 degrees, with a margin of 5 to 15 km."""

    name: str
    latitude: tuple[float, float]
    longitude: tuple[float, float]

    def holds(self, latitude: float, longitude: float) -> bool:
        return self.latitude[0] <= latitude <= self.latitude[1] and self.longitude[0] <= longitude <= self.longitude[1]

    @property
    def box(self) -> str:
        return (
            f"latitude {self.latitude[0]} to {self.latitude[1]}, longitude {self.longitude[0]} to {self.longitude[1]}"
        )


# The first letter of a GSS code and its country: from the Isles of Scilly to Berwick and Lowestoft; from the
# Smalls to Chepstow and from Flat Holm to Point of Ayr; from the Mull of Galloway and St Kilda to Shetland;
# from Fermanagh to the Ards peninsula and Rathlin.
COUNTRIES = {
    "E": Country("England", (49.8, 55.9), (-6.5, 1.9)),
    "W": Country("Wales", (51.3, 53.5), (-5.8, -2.5)),
    "S": Country("Scotland", (54.5, 61.0), (-8.7, -0.6)),
    "N": Country("Northern Ireland", (53.9, 55.4), (-8.3, -5.3)),
}


def country_of(code: str) -> Country | None:
    """The country a GSS code's area is in; None for a code that spans several (K) or is not a GSS code."""
    return COUNTRIES.get(code[:1].upper())


def run(project: Project) -> Result:
    settings = project.loaded.settings
    severity = publication.severity(project)
    latitude, longitude = settings.map.centre
    config = project.relative(project.config_path)
    try:
        text = project.config_path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    centre_line = line_of(text, ("map", "centre"))
    centre = f"map.centre ({latitude}, {longitude}{f', line {centre_line}' if centre_line else ''})"
    findings: list[Finding] = []

    place = country_of(settings.place.code)
    if place is not None and not place.holds(latitude, longitude):
        findings.append(
            Finding(
                f"place.code {settings.place.code!r} is the code of an area in {place.name}, but {centre} is "
                f"outside {place.name} (even a generous box around it: {place.box}). One of them is wrong: set "
                "the area's own GSS code, or the centre of the area as latitude, longitude.",
                config,
                line_of(text, ("place", "code")),
                severity,
            )
        )
    countries = {country.name: country for area in settings.areas if (country := country_of(area.code))}
    said = place is not None and set(countries) == {place.name}  # the finding above says it already
    if countries and not said and not any(country.holds(latitude, longitude) for country in countries.values()):
        names = " or ".join(sorted(countries))
        findings.append(
            Finding(
                f"the [[areas]] are in {names}, but {centre} is outside "
                f"{'it' if len(countries) == 1 else 'each of them'}, even with a generous margin. Set the "
                "areas' own GSS codes, or a map centre among them.",
                config,
                centre_line or line_of(text, ("areas", 0, "code")),
                severity,
            )
        )
    judged = [settings.place.code, *(area.code for area in settings.areas)]
    details = [f"map centre {latitude}, {longitude}; codes {', '.join(judged)}"]
    if findings:
        details.append(publication.note(project))
        summary = "The map centre is outside the country of the area's code."
    elif place is None and not countries:
        summary = "No code names a country (K codes span several), so there is nothing to compare."
    else:
        summary = "The map centre is in the country of the area's code."
    return Result(ID, TITLE, summary, findings, details)


CHECK = Check(ID, TITLE, run)
