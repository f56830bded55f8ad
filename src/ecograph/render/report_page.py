"""The territorial report as one offline HTML page (and, optionally, a PDF).

Why its own module: :mod:`ecograph.render.report` computes, this one only lays out. The page is
a Jinja2 template with autoescape on, so every name from the data is escaped; the charts are
inline SVG from :mod:`ecograph.render.charts` (escaped by ElementTree); the map from
:func:`ecograph.render.maps.build_map` goes into ``<iframe sandbox="allow-scripts"
srcdoc="…">`` — one file still, and the map's script runs in an opaque origin that cannot
reach the report. The report itself has no script: its Content-Security-Policy forbids every
fetch and allows no script but the map's own, by hash (the srcdoc map inherits the policy).

The PDF is printed by a headless Chromium (``--print-to-pdf``) from the written HTML: the same
page, laid out by its print stylesheet, which hides the interactive map.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ecograph import __version__
from ecograph.network.projection import Projection
from ecograph.render.charts import OTHER_COLOUR, SECTOR_COLOURS, bar_chart, heat_map
from ecograph.render.choropleth import Part, choropleth_svg, part_rings
from ecograph.render.report import FUNDING_TYPE, TerritoryReport
from ecograph.render.report_text import Formats, words
from ecograph.safetext import bdi, isolate

__all__ = [
    "find_chromium",
    "map_html",
    "print_pdf",
    "render_html",
    "script_sources",
    "write_report",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Nothing may be fetched; inline style for the page and the charts. Scripts: see
#: :func:`script_sources`.
CSP_BASE = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)
#: The inline scripts of a page, except data blocks (``type="application/json"``).
_INLINE_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script\s*>", re.S | re.I)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bdi"] = bdi  # names and labels from the data: see ecograph.safetext
    return env


def map_html(report: TerritoryReport) -> str:
    """The interactive map of the report's territory: a complete page, to embed."""
    from ecograph.render.maps import build_map

    text = words(report.lang)
    title = text["map.title"] + " — " + report.territory.name
    document = build_map(
        report.projection,
        metrics=report.metrics,
        suggestions=report.raw_suggestions,
        title=title,
        lang=report.lang,
        seed=report.seed,
        labels=report.labels,
    )
    return document.html


def render_html(
    report: TerritoryReport, *, map_page: str | None = None, today: dt.date | None = None
) -> str:
    """The report page. ``map_page`` (from :func:`map_html`) is embedded when given."""
    w = words(report.lang)
    f = Formats(report.lang)
    place, parent = report.territory, report.parent
    level = w[f"level.{place.level}"]
    subtitle = w["subtitle"].format(level=level, code=place.code)
    if place.population:
        subtitle += " · " + w["population"].format(population=f.integer(place.population))
    subtitle += " · " + w["parent.of"].format(name=_territory_name(parent, w))
    parent_name = _territory_name(parent, w)
    context: dict[str, Any] = {
        "lang": report.lang,
        "version": __version__,
        "r": report,
        "w": w,
        "f": f,
        "title": w["title"].format(name=place.name),
        "subtitle": subtitle,
        "csp": f"{CSP_BASE}; script-src {script_sources(map_page or '')}",
        "charts": _charts(report, w, f),
        "choropleths": _choropleths(report, w, f),
        "by_sub": (
            w["by_sub"].format(levels=w[f"levels.{report.sub_level}"]) if report.sub_level else ""
        ),
        "projects_line": w["projects_count"].format(n=f.integer(report.projects)),
        "inferred_actors": (
            w["by_domain.inferred"].format(actors=f.integer(report.actors_with_inferred_domain))
            if report.actors_with_inferred_domain
            else ""
        ),
        "inferred_grants": _inferred_grants(report, w, f),
        "funding_missing": w["funding.missing"].format(n=report.funding_without_amount),
        "comparison": [(report.here, place.name), (report.there, parent_name)],
        "parent_actors": f"{w['col.actors']} — {parent_name}",
        "parent_ei": f"{w['col.ei']} — {parent_name}",
        "actor_gaps": w["gaps.actors"].format(
            isolated=f.integer(report.isolated), peripheral=f.integer(report.peripheral)
        ),
        "sub_gaps_title": (
            w["gaps.sub_sectors"].format(level=w[f"level.{report.sub_level}"])
            if report.sub_level
            else ""
        ),
        "domain_gaps": [
            (
                domain,
                w["gaps.missing.actor"]
                if missing == "actor"
                else w["gaps.missing.sector"].format(sector=isolate(label)),
                n,
            )
            for domain, missing, label, n in report.domain_gaps
        ],
        "fictional": _fictional(report, w, f),
        "origins": _origins(report, w, f),
        "unplaced": w["unplaced"].format(n=f.integer(report.unplaced)) if report.unplaced else "",
        "map_html": map_page or "",
        "method": w["method.text"].format(betweenness=report.betweenness_method),
        "made": w["made"].format(
            date=(today or dt.date.today()).isoformat(), version=__version__, seed=report.seed
        ),
    }
    return _environment().get_template("report.html.j2").render(context)


def script_sources(map_page: str) -> str:
    """The report policy's ``script-src``: the hashes of the map's own inline scripts.

    A srcdoc frame inherits its parent's policy, so the report must allow the map's scripts;
    allowing them by hash rather than ``'unsafe-inline'`` keeps any script that is not the
    map's (say, one smuggled in a name, should escaping ever fail) from running anywhere in
    the report. Without a map the report runs no script at all.
    """
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(map_page):
        if "application/json" in attributes.lower():
            continue
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return " ".join(dict.fromkeys(hashes)) or "'none'"


def _inferred_grants(report: TerritoryReport, w: Any, f: Formats) -> str:
    """How many grants of the territory have a domain only by inference ("" when none)."""
    grants = [
        c
        for c in report.projection.contexts.values()
        if c.kind == "partnership" and c.partnership_type == FUNDING_TYPE
    ]
    inferred = sum(1 for c in grants if c.inferred_domains)
    if not inferred:
        return ""
    return w["funding_by_domain.inferred"].format(
        with_domain=f.integer(sum(1 for c in grants if c.domains)),
        grants=f.integer(inferred),
        total=f.integer(len(grants)),
    )


def _fictional(report: TerritoryReport, w: Any, f: Formats) -> str:
    """The warning a report drawn on generated actors carries under its title ("" when all
    its actors are real)."""
    if not report.fictional_actors:
        return ""
    from_data = sum(
        c.actors for c in report.origins if not c.origin.fictional and not c.origin.reference
    )
    if not from_data:  # made-up actors beside the real authorities the sample ties
        return w["fictional.all"]
    return w["fictional.some"].format(
        n=f.integer(report.fictional_actors), total=f.integer(report.here.actors)
    )


def _origins(report: TerritoryReport, w: Any, f: Formats) -> str:
    """Where the report's actors come from, real sources first ("" without actors)."""
    if not report.origins:
        return ""
    separator = " ; " if report.lang == "fr" else "; "  # French sets a space before ";"
    return w["origins"].format(
        list=separator.join(
            f"{f.integer(count.actors)} {isolate(count.origin.label)}" for count in report.origins
        )
    )


def _territory_name(territory: Any, w: Any) -> str:
    if territory.level == "france":
        return w["level.france"]
    return f"{territory.name} ({w[f'level.{territory.level}']})"


def _charts(report: TerritoryReport, w: Any, f: Formats) -> dict[str, Markup | None]:
    """Every chart as inline SVG (``Markup``: already escaped by ElementTree)."""

    def bars(rows: Any, title: str, colours: list[str] | None = None) -> Markup | None:
        if not rows:
            return None
        return Markup(
            bar_chart(
                [(row.label, row.count) for row in rows],
                title=title,
                value_text=f.integer,
                colours=colours,
            )
        )

    charts: dict[str, Markup | None] = {
        "sectors": bars(
            report.actors_by_sector,
            w["by_sector"],
            [SECTOR_COLOURS.get(row.key, OTHER_COLOUR) for row in report.actors_by_sector],
        ),
        "types": bars(report.actors_by_type, w["by_type"]),
        "domains": bars(report.actors_by_domain, w["by_domain"]),
        "sub": bars(
            report.actors_by_sub_territory[:25],
            w["by_sub"].format(levels=w[f"levels.{report.sub_level}"]) if report.sub_level else "",
        ),
        "ptypes": bars(report.partnerships_by_type, w["by_ptype"]),
        "funding_domains": Markup(
            bar_chart(
                [(row.label, row.amount) for row in report.funding_by_domain],
                title=w["funding_by_domain"],
                value_text=f.amount,
            )
        )
        if report.funding_by_domain
        else None,
    }
    shares = [
        (report.territory.name, report.here.cross_sector_share),
        (_territory_name(report.parent, w), report.there.cross_sector_share),
    ]
    charts["cross"] = Markup(
        bar_chart(
            [(name, share or 0.0) for name, share in shares],
            title=w["cross.chart"],
            value_text=f.percent,
            maximum=1.0,
            colours=["#0072B2", OTHER_COLOUR],
        )
    )
    charts["mixing"] = None
    if report.here.ties:
        charts["mixing"] = Markup(
            heat_map(
                [label for _, label in report.sectors],
                report.mixing_ties,
                report.mixing_shares,
                title=w["mixing"],
                legend=w["chart.legend"],
                share_text=f.percent,
                cell_text=lambda count, share: (f.integer(count), f.percent(share)),
            )
        )
    return charts


def _choropleths(report: TerritoryReport, w: Any, f: Formats) -> list[dict[str, Any]]:
    """The maps of the territory's parts (communes of an EPCI, EPCIs of a département,
    départements of a région; a commune among the communes of its EPCI): actors per 1,000
    inhabitants, funding received per inhabitant, and the parts without an actor in a social
    domain, each as SVG with its table; none where the parts have no shapes."""
    place = report.territory
    table = report.labels.table
    projection, highlight = report.projection, None
    if place.level == "commune":
        if report.context is None:  # a commune outside any EPCI: nothing to set it among
            return []
        projection, highlight, level = report.context, place.code, "commune"
        epci = report.parent.code
        key_of: Any = lambda c: c.code if c.epci == epci else None  # noqa: E731
    elif report.sub_level is None or place.level not in ("epci", "departement", "region"):
        return []
    else:
        level = report.sub_level
        key_of = {
            "epci": lambda c: c.code if c.epci == place.code else None,
            "departement": lambda c: c.epci if c.departement == place.code and c.epci else None,
            "region": lambda c: c.departement if c.region == place.code else None,
        }[place.level]
    population: dict[str, int] = {}
    for commune in table.communes.values():
        key = key_of(commune)
        if key is not None:
            population[key] = population.get(key, 0) + (commune.population or 0)
    rings = part_rings(key_of, table)
    names = {key: report.labels.territory(level, key) or key for key in population}
    actors: Counter[str] = Counter(
        str(data.get(level) or "") for _, data in projection.collaboration.nodes(data=True)
    )
    maps = [
        _choropleth(
            "density",
            w["density"].format(level=w[f"level.{level}"]),
            [
                w["density.name"],
                w["density.actors"],
                w["density.population"],
                w["density.per_1000"],
            ],
            {key: float(actors.get(key, 0)) for key in population},
            population,
            1000,
            names,
            rings,
            (f.integer, lambda v: f.decimal(v, digits=2), f.integer),
            w["density.none"],
            highlight,
        ),
        _choropleth(
            "funding",
            w["funding.map"].format(level=w[f"level.{level}"]),
            [w["density.name"], w["funding.received"], w["density.population"], w["funding.per"]],
            _received(projection, level, population),
            population,
            1,
            names,
            rings,
            (f.amount, lambda v: f.decimal(v, digits=2), f.integer),
            w["funding.none_here"],
            highlight,
        ),
        _domain_gap_map(report, projection, w, f, level, population, names, rings, highlight),
    ]
    return [m for m in maps if m is not None]


#: The domains whose gaps the report maps: the social ones a local authority answers for.
GAP_DOMAINS = ("ageing", "health", "housing", "poverty", "employment", "childhoodYouth")


def _domain_gap_map(
    report: TerritoryReport,
    projection: Projection,
    w: Any,
    f: Formats,
    level: str,
    population: Mapping[str, int],
    names: Mapping[str, str],
    rings: Mapping[str, Any],
    highlight: str | None,
) -> dict[str, Any] | None:
    """The parts with no actor in a domain, shaded by how many people live there: the domain
    of :data:`GAP_DOMAINS` that leaves the most inhabitants without an actor, with a line
    per domain saying how many parts and inhabitants each leaves out."""
    on: dict[str, Counter[str]] = {d: Counter() for d in GAP_DOMAINS}
    for _, data in projection.collaboration.nodes(data=True):
        key = str(data.get(level) or "")
        for domain in str(data.get("domains") or "").split():
            if domain in on and key in population:
                on[domain][key] += 1
    left_out = {d: [k for k in population if not on[d][k] and population[k]] for d in GAP_DOMAINS}
    people = {d: sum(population[k] for k in keys) for d, keys in left_out.items()}
    domain = max(GAP_DOMAINS, key=lambda d: (people[d], -GAP_DOMAINS.index(d)))
    if not people[domain]:
        return None
    label = report.labels.domain(domain)
    title = w["gap.map"].format(domain=label, level=w[f"level.{level}"])
    parts = [
        Part(k, names[k], float(population[k]) if not on[domain][k] else None) for k in population
    ]
    svg = choropleth_svg(
        parts,
        rings,
        title=title,
        value_text=f.integer,
        no_actor=w["gap.some"].format(domain=label),
        highlight=highlight,
    )
    if svg is None:
        return None
    rows = sorted(population, key=lambda k: (bool(on[domain][k]), -population[k], names[k]))
    return {
        "id": "domain-gap",
        "title": title,
        "svg": Markup(svg),
        "headers": [w["density.name"], w["gap.actors"], w["density.population"], w["gap.left"]],
        "rows": [
            (
                names[k],
                f.integer(on[domain][k]),
                f.integer(population[k]),
                "–" if on[domain][k] else f.integer(population[k]),
            )
            for k in rows
        ],
        "summary": [
            (
                report.labels.domain(d),
                w["gap.line"].format(
                    parts=f.integer(len(left_out[d])),
                    total=f.integer(len(population)),
                    level=w[f"levels.{level}"],
                    people=f.integer(people[d]),
                ),
            )
            for d in GAP_DOMAINS
        ],
    }


def _received(projection: Projection, level: str, parts: Mapping[str, int]) -> dict[str, float]:
    """Euros of funding received by the actors of each part (a grant to several
    beneficiaries split equally between them; grants without an amount add nothing)."""
    G = projection.collaboration
    received = dict.fromkeys(parts, 0.0)
    for context in projection.contexts.values():
        if context.partnership_type != FUNDING_TYPE or context.amount is None:
            continue
        beneficiaries = [a for a, role in context.members.items() if role == "beneficiary"]
        for beneficiary in beneficiaries:
            data = G.nodes[beneficiary] if beneficiary in G else {}
            key = str(data.get(level) or "")
            if key in received:
                received[key] += context.amount / len(beneficiaries)
    return received


def _choropleth(
    name: str,
    title: str,
    headers: list[str],
    amounts: Mapping[str, float],
    population: Mapping[str, int],
    per: int,
    names: Mapping[str, str],
    rings: Mapping[str, Any],
    formats: tuple[Any, Any, Any],
    none: str,
    highlight: str | None = None,
) -> dict[str, Any] | None:
    """One map: ``amounts`` per ``per`` inhabitants of each part, and its table;
    ``formats`` write the amounts, the ratios and the inhabitants."""
    whole, ratio, inhabitants = formats
    rows = []
    for key, people in population.items():
        value = amounts.get(key, 0.0) * per / people if people else None
        rows.append((names[key], key, amounts.get(key, 0.0), people, value))
    rows.sort(key=lambda r: (-(r[4] or 0), r[0]))
    svg = choropleth_svg(
        [Part(key, label, value) for label, key, _, _, value in rows],
        rings,
        title=title,
        value_text=ratio,
        no_actor=none,
        highlight=highlight,
    )
    if svg is None:
        return None
    return {
        "id": name,
        "title": title,
        "svg": Markup(svg),
        "headers": headers,
        "rows": [
            (label, whole(amount), inhabitants(people), ratio(value) if value else "–")
            for label, _, amount, people, value in rows
        ],
    }


def write_report(
    report: TerritoryReport,
    path: str | os.PathLike[str],
    *,
    with_map: bool = True,
    pdf: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the HTML page (and the PDF when ``pdf`` is a path); return the files written."""
    path = Path(path)
    page = render_html(report, map_page=map_html(report) if with_map and not report.empty else None)
    path.write_text(page, encoding="utf-8")
    written = [path]
    if pdf is not None:
        written.append(print_pdf(path, Path(pdf)))
    return written


def find_chromium() -> str | None:
    """A Chromium (or Chrome) on the PATH, for PDF printing; ``None`` when there is none."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout: float = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium, offline, on A4 (print stylesheet).

    Raises ``RuntimeError`` naming the browser when none is found or printing fails.
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise RuntimeError(
            "PDF needs Chromium: install it (apt-get install chromium) or pass "
            "its path; the HTML report was written anyway"
        )
    pdf = pdf.resolve()
    with tempfile.TemporaryDirectory(prefix="ecograph-pdf-") as profile:
        command = [
            browser,
            "--headless=new",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise RuntimeError(f"{browser} could not print {html} to PDF: {err}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(
            f"{browser} could not print {html} to PDF (exit {done.returncode}): {detail[0]}"
        )
    return pdf
