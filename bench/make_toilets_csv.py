"""Write a large, seeded CSV shaped like a combined LGA PublicToilets file.

``python3 bench/make_toilets_csv.py [--rows N] [--seed S] [--bad-fraction F] [--out PATH]``

The file looks like what councils publish, deviations included, so that an
ingest benchmark does the work a real file asks for:

- the LGA PublicToilets columns, except that ``ManagedBy`` is called
  ``ManagingBy`` and ``ChargeAmount`` is called ``Charge`` (see RENAMED), and
  one extra column outside the schema (``AssetID``);
- exactly half the rows in WGS84 longitude/latitude and half in OSGB36
  eastings/northings, interleaved at random, with the CoordinateReferenceSystem
  column saying which (a few WGS84 rows leave it blank, which the schema reads
  as WGS84); points lie around about fifty town centres across Great Britain;
- dd/mm/yyyy dates, some followed by hh:mm or hh:mm:ss; yes/no flags in mixed
  case (yes, Yes, NO, true, ...); UPRNs as digit strings; quoted cells with
  commas and non-ASCII text;
- a small fraction of bad rows (a blank required cell, or a coordinate that is
  not a number), which a validating loader must reject; BAD_KINDS lists them.

It uses only the standard library, so it runs before any environment exists.
The same rows, seed and bad fraction always give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 20240501
DEFAULT_BAD_FRACTION = 0.001
CHUNK = 20_000

# Canonical LGA field name -> the column name this file uses instead.
RENAMED = {"ManagedBy": "ManagingBy", "ChargeAmount": "Charge"}
EXTRA_COLUMNS = ["AssetID"]
# The LGA PublicToilets columns, in order, from the schema the engine ships.
SCHEMA = (
    Path(__file__).resolve().parent.parent / "engine" / "src" / "local_data_app" / "schemas" / "public_toilets.json"
)
LGA_FIELDS = [field["name"] for field in json.loads(SCHEMA.read_text(encoding="utf-8"))["fields"]]
HEADER = [RENAMED.get(name, name) for name in LGA_FIELDS] + EXTRA_COLUMNS
COLUMN = {name: index for index, name in enumerate(HEADER)}

# How a bad row is broken: (column, value written instead).
BAD_KINDS = [
    ("LocationText", ""),
    ("OrganisationLabel", ""),
    ("ExtractDate", ""),
    ("GeoX", "n/a"),
    ("GeoY", ""),
    ("GeoY", "53°28'N"),
]

# Town centres across Great Britain: name, council, kind of council (a KINDS key), latitude, longitude,
# postcode area, and the GSS prefix of its wards.
KINDS = {
    "LB": "london-borough",
    "MD": "metropolitan-district",
    "UA": "unitary-authority",
    "ND": "non-metropolitan-district",
    "PA": "principal-area",
    "CA": "council-area",
}
TOWNS = [
    ("Westminster", "Westminster City Council", "LB", 51.4975, -0.1357, "SW", "E05"),
    ("Camden", "London Borough of Camden", "LB", 51.5390, -0.1426, "NW", "E05"),
    ("Croydon", "London Borough of Croydon", "LB", 51.3762, -0.0982, "CR", "E05"),
    ("Birmingham", "Birmingham City Council", "MD", 52.4797, -1.9026, "B", "E05"),
    ("Manchester", "Manchester City Council", "MD", 53.4794, -2.2453, "M", "E05"),
    ("Stretford", "Trafford Council", "MD", 53.4460, -2.3090, "M", "E05"),
    ("Leeds", "Leeds City Council", "MD", 53.7997, -1.5492, "LS", "E05"),
    ("Sheffield", "Sheffield City Council", "MD", 53.3811, -1.4701, "S", "E05"),
    ("Bradford", "City of Bradford Metropolitan District Council", "MD", 53.7960, -1.7594, "BD", "E05"),
    ("Liverpool", "Liverpool City Council", "MD", 53.4084, -2.9916, "L", "E05"),
    ("Newcastle upon Tyne", "Newcastle City Council", "MD", 54.9738, -1.6132, "NE", "E05"),
    ("Coventry", "Coventry City Council", "MD", 52.4068, -1.5197, "CV", "E05"),
    ("Bristol", "Bristol City Council", "UA", 51.4545, -2.5879, "BS", "E05"),
    ("Nottingham", "Nottingham City Council", "UA", 52.9548, -1.1581, "NG", "E05"),
    ("Leicester", "Leicester City Council", "UA", 52.6369, -1.1398, "LE", "E05"),
    ("Kingston upon Hull", "Hull City Council", "UA", 53.7457, -0.3367, "HU", "E05"),
    ("Stoke-on-Trent", "Stoke-on-Trent City Council", "UA", 53.0027, -2.1794, "ST", "E05"),
    ("Plymouth", "Plymouth City Council", "UA", 50.3755, -4.1427, "PL", "E05"),
    ("Southampton", "Southampton City Council", "UA", 50.9097, -1.4044, "SO", "E05"),
    ("Portsmouth", "Portsmouth City Council", "UA", 50.8198, -1.0880, "PO", "E05"),
    ("Brighton", "Brighton & Hove City Council", "UA", 50.8225, -0.1372, "BN", "E05"),
    ("Reading", "Reading Borough Council", "UA", 51.4543, -0.9781, "RG", "E05"),
    ("Bournemouth", "Bournemouth, Christchurch and Poole Council", "UA", 50.7192, -1.8808, "BH", "E05"),
    ("Truro", "Cornwall Council", "UA", 50.2632, -5.0510, "TR", "E05"),
    ("Shrewsbury", "Shropshire Council", "UA", 52.7073, -2.7553, "SY", "E05"),
    ("Chester", "Cheshire West and Chester Council", "UA", 53.1934, -2.8931, "CH", "E05"),
    ("York", "City of York Council", "UA", 53.9590, -1.0815, "YO", "E05"),
    ("Middlesbrough", "Middlesbrough Council", "UA", 54.5742, -1.2350, "TS", "E05"),
    ("Peterborough", "Peterborough City Council", "UA", 52.5695, -0.2405, "PE", "E05"),
    ("Carlisle", "Cumberland Council", "UA", 54.8925, -2.9329, "CA", "E05"),
    ("Norwich", "Norwich City Council", "ND", 52.6309, 1.2974, "NR", "E05"),
    ("Ipswich", "Ipswich Borough Council", "ND", 52.0567, 1.1482, "IP", "E05"),
    ("Cambridge", "Cambridge City Council", "ND", 52.2053, 0.1218, "CB", "E05"),
    ("Oxford", "Oxford City Council", "ND", 51.7520, -1.2577, "OX", "E05"),
    ("Exeter", "Exeter City Council", "ND", 50.7184, -3.5339, "EX", "E05"),
    ("Gloucester", "Gloucester City Council", "ND", 51.8642, -2.2382, "GL", "E05"),
    ("Worcester", "Worcester City Council", "ND", 52.1920, -2.2200, "WR", "E05"),
    ("Lancaster", "Lancaster City Council", "ND", 54.0466, -2.8007, "LA", "E05"),
    ("Lincoln", "City of Lincoln Council", "ND", 53.2307, -0.5406, "LN", "E05"),
    ("Canterbury", "Canterbury City Council", "ND", 51.2802, 1.0789, "CT", "E05"),
    ("Maidstone", "Maidstone Borough Council", "ND", 51.2704, 0.5227, "ME", "E05"),
    ("King's Lynn", "Borough Council of King's Lynn and West Norfolk", "ND", 52.7543, 0.3976, "PE", "E05"),
    ("Cardiff", "Cardiff Council", "PA", 51.4816, -3.1791, "CF", "W05"),
    ("Swansea", "Swansea Council", "PA", 51.6214, -3.9436, "SA", "W05"),
    ("Newport", "Newport City Council", "PA", 51.5842, -2.9977, "NP", "W05"),
    ("Wrexham", "Wrexham County Borough Council", "PA", 53.0462, -2.9930, "LL", "W05"),
    ("Aberystwyth", "Cyngor Sir Ceredigion", "PA", 52.4153, -4.0829, "SY", "W05"),
    ("Llangefni", "Cyngor Sir Ynys Môn", "PA", 53.2555, -4.3105, "LL", "W05"),
    ("Edinburgh", "The City of Edinburgh Council", "CA", 55.9533, -3.1883, "EH", "S13"),
    ("Glasgow", "Glasgow City Council", "CA", 55.8642, -4.2518, "G", "S13"),
    ("Aberdeen", "Aberdeen City Council", "CA", 57.1497, -2.0943, "AB", "S13"),
    ("Dundee", "Dundee City Council", "CA", 56.4620, -2.9707, "DD", "S13"),
    ("Inverness", "The Highland Council", "CA", 57.4778, -4.2247, "IV", "S13"),
    ("Stirling", "Stirling Council", "CA", 56.1165, -3.9369, "FK", "S13"),
    ("Perth", "Perth & Kinross Council", "CA", 56.3950, -3.4308, "PH", "S13"),
    ("Dumfries", "Dumfries and Galloway Council", "CA", 55.0701, -3.6054, "DG", "S13"),
]
JITTER_METRES = 1500.0  # standard deviation of a point's distance from its town centre, per axis

STREETS = [
    "Market Street",
    "High Street",
    "Station Road",
    "Church Street",
    "Bridge Street",
    "King Street",
    "Queen Street",
    "Castle Street",
    "Mill Lane",
    "Park Road",
    "Victoria Road",
    "North Parade",
    "South Parade",
    "Sea Road",
    "The Promenade",
    "Fore Street",
    "Northgate",
    "Westgate",
    "Chapel Street",
    "George Street",
    "Water Lane",
    "Heol y Frenhines",
    "Stryd Fawr",
    "Union Street",
]
PLACES = [
    "car park",
    "bus station",
    "public toilets",
    "shopping centre",
    "library",
    "town hall",
    "market hall",
    "leisure centre",
    "recreation ground",
    "pier",
    "cemetery",
    "railway station",
]
PARKS = [
    "Victoria Park",
    "Memorial Gardens",
    "Jubilee Park",
    "Riverside Walk",
    "Castle Grounds",
    "Promenade West",
    "Country Park visitor centre",
    "Parc Gwledig",
    "Botanic Gardens",
    "Town Moor",
]
CATEGORIES = ["Female and Male"] * 8 + ["Unisex"] * 5 + ["Female", "Male", "Male urinal", "Children only", "None"]
ACCESSIBLE = ["Unisex"] * 8 + ["Female and Male"] * 2 + ["None"] * 3 + ["Female", "Male"]
YES = ["yes", "Yes", "YES", "true", "Yes", "yes"]
NO = ["no", "No", "NO", "false", "No", "no"]
CHARGES = ["", "", "", "0", "0.00", "0.20", "0.30", "0.40", "0.50", "1.00"]
HOURS = [
    "24 hours",
    "8am to 6pm daily",
    "Mon-Sat 09:00-17:00, Sun 10:00-16:00",
    "Dawn to dusk",
    "Summer 07:00-20:00, winter 08:00-17:00",
    "When the library is open",
    "",
]
MANAGERS = ["{council}", "{council}", "Healthmatic Ltd", "Danfo (UK) Ltd", "Town council", "Parish council"]
SCHEMES = ["Community Toilet Scheme", "Use Our Loos", "Cynllun Toiledau Cymunedol", "Comfort Partnership"]
NOTES = [
    "",
    "",
    "",
    "",
    "Radar key available from the library, Monday to Saturday.",
    'Ask at the "Tourist Information" desk.',
    "Closed Christmas Day, Boxing Day and New Year's Day.",
    "Caffi'r Parc toilets, open in season — dogs welcome.",
    "Refurbished 2019; hand dryers, no paper towels.",
    "Changing Places hoist, bench and shower; please book ahead.",
]
AREAS = ["Central", "North", "South", "East", "West", "Riverside", "Park", "Castle"]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
LICENSING_URLS = ["", "https://www.ordnancesurvey.co.uk/customers/public-sector/public-sector-licensing"]
SERVICE_TYPE_URI = "http://id.esd.org.uk/service/578"


@dataclass(frozen=True)
class Summary:
    """What a generated file holds, written beside it as ``<file>.json``."""

    path: str
    rows: int
    seed: int
    bad_fraction: float
    bad_rows: int
    wgs84_rows: int
    osgb36_rows: int
    blank_crs_rows: int
    renamed: dict[str, str]
    extra_columns: list[str]
    seconds: float
    bytes: int


def wgs84_to_osgb36_grid(latitude: float, longitude: float) -> tuple[float, float]:
    """British National Grid easting and northing of a WGS84 point, to a few metres.

    The Ordnance Survey's seven-parameter Helmert transformation from WGS84 to
    OSGB36 and then the Transverse Mercator projection on the Airy 1830
    ellipsoid ("A guide to coordinate systems in Great Britain", annexes B-C).
    Only used for the ~50 town centres, so plain Python is fast enough.
    """
    a, b = 6378137.0, 6356752.3142
    e2 = 1 - (b * b) / (a * a)
    phi, lam = math.radians(latitude), math.radians(longitude)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    x = nu * math.cos(phi) * math.cos(lam)
    y = nu * math.cos(phi) * math.sin(lam)
    z = (1 - e2) * nu * math.sin(phi)

    tx, ty, tz, s = -446.448, 125.157, -542.060, 20.4894e-6
    rx, ry, rz = (math.radians(seconds / 3600) for seconds in (-0.1502, -0.2470, -0.8421))
    x, y, z = (
        tx + (1 + s) * x - rz * y + ry * z,
        ty + rz * x + (1 + s) * y - rx * z,
        tz - ry * x + rx * y + (1 + s) * z,
    )

    a, b = 6377563.396, 6356256.909
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        phi = math.atan2(z + e2 * nu * math.sin(phi), p)
    lam = math.atan2(y, x)

    f0, phi0, lam0, e0, n0 = 0.9996012717, math.radians(49), math.radians(-2), 400000.0, -100000.0
    n = (a - b) / (a + b)
    sin_phi, cos_phi, tan_phi = math.sin(phi), math.cos(phi), math.tan(phi)
    nu = a * f0 / math.sqrt(1 - e2 * sin_phi**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_phi**2) ** 1.5
    eta2 = nu / rho - 1
    dp, sp = phi - phi0, phi + phi0
    meridional = (
        b
        * f0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * dp
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(dp) * math.cos(sp)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * dp) * math.cos(2 * sp)
            - 35 / 24 * n**3 * math.sin(3 * dp) * math.cos(3 * sp)
        )
    )
    i = meridional + n0
    ii = nu / 2 * sin_phi * cos_phi
    iii = nu / 24 * sin_phi * cos_phi**3 * (5 - tan_phi**2 + 9 * eta2)
    iiia = nu / 720 * sin_phi * cos_phi**5 * (61 - 58 * tan_phi**2 + tan_phi**4)
    iv = nu * cos_phi
    v = nu / 6 * cos_phi**3 * (nu / rho - tan_phi**2)
    vi = nu / 120 * cos_phi**5 * (5 - 18 * tan_phi**2 + tan_phi**4 + 14 * eta2 - 58 * tan_phi**2 * eta2)
    dl = lam - lam0
    northing = i + ii * dl**2 + iii * dl**4 + iiia * dl**6
    easting = e0 + iv * dl + v * dl**3 + vi * dl**5
    return easting, northing


@dataclass(frozen=True)
class Town:
    """A town centre with everything its rows draw on, computed once."""

    latitude: float
    longitude: float
    easting: float
    northing: float
    metres_per_degree_lon: float
    council: str
    organisation_uri: str
    info_url: str
    report_email: str
    report_tel: str
    postcode_area: str
    name: str
    areas: list[tuple[str, str]]  # (GeoAreaURI, GeoAreaLabel)
    managers: list[str]


def build_towns(rng: random.Random) -> list[Town]:
    towns = []
    for name, council, kind, latitude, longitude, postcode_area, gss_prefix in TOWNS:
        slug = "".join(c if c.isalnum() else "-" for c in council.lower().replace("'", "")).strip("-")
        domain = slug.replace("-council", "").replace("-", "")
        easting, northing = wgs84_to_osgb36_grid(latitude, longitude)
        areas = [
            (
                f"http://statistics.data.gov.uk/id/statistical-geography/{gss_prefix}{rng.randrange(1, 10**6):06d}",
                f"{name} {area}",
            )
            for area in rng.sample(AREAS, 4)
        ]
        towns.append(
            Town(
                latitude=latitude,
                longitude=longitude,
                easting=easting,
                northing=northing,
                metres_per_degree_lon=111_320.0 * math.cos(math.radians(latitude)),
                council=council,
                organisation_uri=f"http://opendatacommunities.org/id/{KINDS[kind]}/{slug}",
                info_url=f"https://www.{domain}.gov.uk/public-toilets",
                report_email=f"streetcare@{domain}.gov.uk",
                report_tel=f"0{rng.randrange(1100, 2000)} {rng.randrange(200_000, 1_000_000)}",
                postcode_area=postcode_area,
                name=name,
                areas=areas,
                managers=[manager.format(council=council) for manager in MANAGERS],
            )
        )
    return towns


def extract_dates(rng: random.Random) -> list[str]:
    """dd/mm/yyyy dates from 2015 to 2024, a third of them with a time as hh:mm or hh:mm:ss."""
    dates = []
    for _ in range(4000):
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2015, 2024)
        text = f"{day:02d}/{month:02d}/{year}"
        roll = rng.random()
        if roll < 0.2:
            text += f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        elif roll < 0.33:
            text += f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        dates.append(text)
    return dates


def generate(
    path: Path,
    rows: int = DEFAULT_ROWS,
    seed: int = DEFAULT_SEED,
    bad_fraction: float = DEFAULT_BAD_FRACTION,
) -> Summary:
    """Write ``rows`` data rows (plus a header) to ``path`` and a summary beside it."""
    started = time.perf_counter()
    rng = random.Random(seed)
    towns = build_towns(rng)
    dates = extract_dates(rng)
    locations = [f"{street} {place}" for street in STREETS for place in PLACES] + PARKS * 6
    bad_count = round(rows * bad_fraction)
    bad_rows = set(rng.sample(range(rows), bad_count))
    random_ = rng.random
    choice = rng.choice
    gauss = rng.gauss
    randrange = rng.randrange
    wgs84_rows = blank_crs_rows = 0

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for start in range(0, rows, CHUNK):
            size = min(CHUNK, rows - start)
            # Exactly half of the whole file is OSGB36: alternate, then shuffle within the chunk.
            osgb = [(start + k) % 2 == 1 for k in range(size)]
            rng.shuffle(osgb)
            batch = []
            for k in range(size):
                town = choice(towns)
                east_offset = gauss(0.0, JITTER_METRES)
                north_offset = gauss(0.0, JITTER_METRES)
                if osgb[k]:
                    crs = "OSGB36"
                    x = town.easting + east_offset
                    y = town.northing + north_offset
                    if random_() < 0.8:
                        geo_x, geo_y = str(round(x)), str(round(y))
                    else:
                        geo_x, geo_y = f"{x:.2f}", f"{y:.2f}"
                else:
                    wgs84_rows += 1
                    crs = "WGS84"
                    if random_() < 0.05:
                        crs = ""
                        blank_crs_rows += 1
                    geo_x = f"{town.longitude + east_offset / town.metres_per_degree_lon:.6f}"
                    geo_y = f"{town.latitude + north_offset / 111_320.0:.6f}"
                accessible = choice(ACCESSIBLE)
                has_accessible = accessible != "None"
                community = random_() < 0.15
                street = choice(STREETS)
                area_uri, area_label = choice(town.areas)
                batch.append(
                    [
                        choice(dates),
                        town.organisation_uri,
                        town.council,
                        SERVICE_TYPE_URI,
                        "Public toilets",
                        choice(locations),
                        crs,
                        geo_x,
                        geo_y,
                        choice(LICENSING_URLS),
                        choice(CATEGORIES),
                        accessible,
                        choice(YES) if has_accessible and random_() < 0.7 else choice(NO),
                        choice(YES) if random_() < 0.6 else choice(NO),
                        choice(YES) if random_() < 0.2 else choice(NO),
                        choice(YES) if random_() < 0.05 else choice(NO),
                        choice(YES) if random_() < 0.1 else choice(NO),
                        choice(YES) if random_() < 0.05 else choice(NO),
                        choice(YES) if community else choice(NO),
                        choice(SCHEMES) if community else "",
                        choice(CHARGES),
                        town.info_url,
                        choice(HOURS),
                        choice(town.managers),
                        town.report_email,
                        town.report_tel,
                        choice(NOTES),
                        str(randrange(10**7, 2 * 10**11)) if random_() < 0.7 else "",
                        f"{town.postcode_area}{randrange(1, 20)} {randrange(1, 10)}"
                        f"{choice(POSTCODE_LETTERS)}{choice(POSTCODE_LETTERS)}",
                        f"{randrange(1, 200)} {street}, {town.name}",
                        area_uri,
                        area_label,
                        f"PT{start + k + 1:07d}",
                    ]
                )
                if start + k in bad_rows:
                    column, value = choice(BAD_KINDS)
                    batch[-1][COLUMN[column]] = value
            writer.writerows(batch)
    partial.replace(path)
    summary = Summary(
        path=str(path),
        rows=rows,
        seed=seed,
        bad_fraction=bad_fraction,
        bad_rows=bad_count,
        wgs84_rows=wgs84_rows,
        osgb36_rows=rows - wgs84_rows,
        blank_crs_rows=blank_crs_rows,
        renamed=dict(RENAMED),
        extra_columns=list(EXTRA_COLUMNS),
        seconds=round(time.perf_counter() - started, 2),
        bytes=path.stat().st_size,
    )
    summary_path(path).write_text(json.dumps(asdict(summary), indent=2) + "\n", encoding="utf-8")
    return summary


def summary_path(path: Path) -> Path:
    """Where the summary of a generated file is kept."""
    return path.with_name(path.name + ".json")


def bench_dir() -> Path:
    """Where the benchmarks keep their files: build/bench/ in the template repository, or $BENCH_DIR."""
    if found := os.environ.get("BENCH_DIR"):
        return Path(found).resolve()
    return Path(__file__).resolve().parent.parent / "build" / "bench"


def default_path(rows: int, seed: int, bad_fraction: float) -> Path:
    """The cached file for these settings, under the benchmarks' folder (see bench_dir)."""
    return bench_dir() / f"toilets-{rows}-seed{seed}-bad{bad_fraction:g}.csv"


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text}")
    return value


def positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of rows, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=positive, default=DEFAULT_ROWS, help="data rows to write (default: 1000000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--bad-fraction",
        type=fraction,
        default=DEFAULT_BAD_FRACTION,
        help=f"share of rows with a blank required cell or a non-numeric coordinate (default: {DEFAULT_BAD_FRACTION})",
    )
    parser.add_argument("--out", type=Path, help="where to write (default: build/bench/toilets-<rows>-...csv)")
    args = parser.parse_args(argv)
    path = args.out or default_path(args.rows, args.seed, args.bad_fraction)
    summary = generate(path, args.rows, args.seed, args.bad_fraction)
    print(
        f"Wrote {summary.rows:,} rows ({summary.wgs84_rows:,} WGS84, of which {summary.blank_crs_rows:,} with a blank "
        f"CRS; {summary.osgb36_rows:,} OSGB36; {summary.bad_rows:,} bad) to {path} "
        f"({summary.bytes / 1e6:.0f} MB) in {summary.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
