"""``domains explain`` and ``domains evaluate``: the keyword rules of the domain scheme, tried
on a text and measured on hand-labelled real grants."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecograph.cli.common import console, fail
from ecograph.cli.tables import add_row, make_table

if TYPE_CHECKING:
    from ecograph.domain_rules import DomainRules

SchemeOption = Annotated[
    Path | None,
    typer.Option(
        "--scheme",
        help="A domain scheme in Turtle whose rules to use (default: the shipped "
        "ontology/schemes/domains.ttl), to try an edited copy before loading it.",
        exists=True,
        dir_okay=False,
    ),
]


def _rules(scheme: Path | None) -> DomainRules:
    from ecograph.domain_rules import DomainRules, DomainRulesError

    try:
        return DomainRules.from_file(scheme) if scheme else DomainRules.shipped()
    except (DomainRulesError, SyntaxError, ValueError) as err:
        raise fail(f"{scheme}: {err}", 2) from None


def explain(
    texts: Annotated[list[str], typer.Argument(help="Texts to classify (an object, a name).")],
    scheme: SchemeOption = None,
) -> None:
    """The domains each text speaks of, and the keyword that says so."""
    rules = _rules(scheme)
    table = make_table("Domains found", [("text", "text"), ("domain", "key"), ("keyword", "text")])
    for text in texts:
        found = rules.find(text)
        if not found:
            add_row(table, text, "—", "no keyword of any domain")
        for domain, keyword in found.items():
            add_row(table, text, domain, keyword.text)
    console.print(table)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print_precision_everywhere(rules: DomainRules, order: list[str]) -> None:
    """Precision per domain on the measured part of every shipped sample, side by side."""
    from ecograph.domain_evaluation import KEY_DOMAINS, measured

    results = measured(rules, order)
    columns = [("domain", "key"), *((sample.short, "number") for sample, _ in results)]
    table = make_table(
        "Precision (right / given) on every sample the rules were not written on",
        [*columns, ("all", "number")],  # type: ignore[list-item]
    )
    for domain in order:
        scores = [result.scores[domain] for _, result in results]
        given, right = sum(s.given for s in scores), sum(s.right for s in scores)
        if not given and domain not in KEY_DOMAINS:
            continue
        cells = [f"{s.right}/{s.given}" if s.given else "—" for s in scores]
        add_row(table, domain, *cells, _ratio(right / given if given else None))
    console.print(table)
    for sample, result in results:
        if sample.half == "audit":  # drawn by the rules: its coverage and recall mean nothing
            continue
        console.print(
            f"Coverage, {sample.name}: {result.coverage:.0%} of the {result.judged} judged "
            f"grants and {result.euro_coverage:.0%} of their euros get a domain; "
            f"{result.in_scope_euro_coverage:.0%} of the euros of those the labeller gave one."
        )
    console.print(
        "The audits were drawn mostly among the grants the rules give a key domain, and "
        "labelled without knowing why: they measure precision, not recall or coverage."
    )


def evaluate(
    scheme: SchemeOption = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Labelled grants (CSV like the shipped data/domains/grants-labelled.csv).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    half: Annotated[
        str, typer.Option(help="Which half to report: test (the default), tune or all.")
    ] = "test",
    coverage: Annotated[
        list[Path] | None,
        typer.Option(
            "--coverage",
            help="A published SCDL file whose coverage (grants and euros given a domain) to "
            "measure too; repeat for several.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    mistakes: Annotated[
        bool, typer.Option("--mistakes", help="List the grants where rules and labels differ.")
    ] = False,
) -> None:
    """Precision and recall of the domain rules per domain on hand-labelled real grants, the
    audit sample's precision, and coverage."""
    from ecograph.domain_evaluation import (
        KEY_DOMAINS,
        evaluate,
        file_coverage,
        read_labelled,
    )

    if half not in ("test", "tune", "all"):
        raise fail(f"--half {half}: expected test, tune or all", 2)
    rules = _rules(scheme)
    grants = read_labelled(labels)
    order = sorted({d for g in grants for d in g.domains or ()} | set(KEY_DOMAINS))
    order = [*KEY_DOMAINS, *(d for d in order if d not in KEY_DOMAINS)]
    result = evaluate(rules, grants, half=half, domains=order)
    title = (
        f"Domain rules on {result.judged} hand-labelled real grants ({half} half; "
        f"{result.unknown} the labeller could not judge set aside)"
    )
    columns = [("domain", "key"), ("labelled", "number"), ("given", "number")]
    columns += [("precision", "number"), ("recall", "number")]
    table = make_table(title, columns)  # type: ignore[arg-type]
    for domain in order:
        score = result.scores[domain]
        cells = [domain, score.labelled, score.given, _ratio(score.precision)]
        add_row(table, *(str(c) for c in cells), _ratio(score.recall))
    console.print(table)
    console.print(
        f"Coverage ({half} half): {result.coverage:.0%} of the judged grants and "
        f"{result.euro_coverage:.0%} of their euros get at least one domain; of the euros "
        f"of the grants the labeller gave a domain, {result.in_scope_euro_coverage:.0%}."
    )
    if labels is None:
        _print_precision_everywhere(rules, order)
    for path in coverage or []:
        try:
            measured = file_coverage(rules, path)
        except Exception as err:  # a file that is not SCDL: say which and why
            raise fail(f"{path}: {err}", 2) from None
        share = measured.covered / measured.grants if measured.grants else 0.0
        euros = float(measured.euros_covered / measured.euros) if measured.euros else 0.0
        console.print(
            f"{measured.file}: {measured.grants:,} grants, {share:.0%} given a domain, "
            f"{euros:.0%} of {measured.euros:,.0f} €."
        )
    if mistakes:
        rows = make_table(
            "Where rules and labels differ",
            [("grant", "key"), ("labelled", "text"), ("rules", "text"), ("text", "text")],
        )
        for grant, given in result.mistakes:
            text = " | ".join(t for t in (grant.beneficiary, grant.objet) if t)
            labelled = ", ".join(sorted(grant.domains or ())) or "none"
            add_row(rows, grant.id, labelled, ", ".join(sorted(given)) or "none", text)
        console.print(rows)
