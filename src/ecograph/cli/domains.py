"""``domains explain`` and ``domains evaluate``: the keyword rules of the domain scheme, tried
on a text and measured on hand-labelled real grants."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecograph.cli.common import console, fail
from ecograph.cli.tables import add_row, make_table

if TYPE_CHECKING:
    from ecograph.domain_evaluation import Evaluation
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


def _print_fresh_file(result: Evaluation, half: str) -> None:
    """The same measure on the Vendée's grants: a département whose files the rules were not
    first written on, where objects say more than names."""
    table = make_table(
        f"The same rules on {result.judged} labelled grants of the Vendée ({half} half)",
        [
            ("domain", "key"),
            ("labelled", "number"),
            ("given", "number"),
            ("precision", "number"),
            ("recall", "number"),
        ],
    )
    for domain, score in result.scores.items():
        if score.labelled or score.given:
            cells = [domain, str(score.labelled), str(score.given)]
            add_row(table, *cells, _ratio(score.precision), _ratio(score.recall))
    console.print(table)
    console.print(
        f"Coverage (Vendée, {half} half): {result.coverage:.0%} of the grants and "
        f"{result.euro_coverage:.0%} of their euros get at least one domain; of the euros of "
        f"the grants the labeller gave a domain, {result.in_scope_euro_coverage:.0%}."
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
        labelled_grants_path,
        read_labelled,
        vendee_grants_path,
    )

    if half not in ("test", "tune", "all"):
        raise fail(f"--half {half}: expected test, tune or all", 2)
    rules = _rules(scheme)
    grants = read_labelled(labels)
    order = sorted({d for g in grants for d in g.domains or ()} | set(KEY_DOMAINS))
    order = [*KEY_DOMAINS, *(d for d in order if d not in KEY_DOMAINS)]
    result = evaluate(rules, grants, half=half, domains=order)
    audit = None
    if labels is None:
        audit_path = labelled_grants_path().with_name("grants-audit.csv")
        audit = evaluate(rules, read_labelled(audit_path), half="audit", domains=order)
    title = (
        f"Domain rules on {result.judged} hand-labelled real grants ({half} half; "
        f"{result.unknown} the labeller could not judge set aside)"
    )
    columns = [("domain", "key"), ("labelled", "number"), ("given", "number")]
    columns += [("precision", "number"), ("recall", "number")]
    if audit is not None:
        columns += [("audit given", "number"), ("audit precision", "number")]
        columns += [("precision, both", "number")]
    table = make_table(title, columns)  # type: ignore[arg-type]
    for domain in order:
        score = result.scores[domain]
        cells = [domain, score.labelled, score.given, _ratio(score.precision)]
        cells.append(_ratio(score.recall))
        if audit is not None:
            checked = audit.scores[domain]
            either = score.given + checked.given
            both = (score.right + checked.right) / either if either else None
            cells += [checked.given, _ratio(checked.precision), _ratio(both)]
        add_row(table, *(str(c) for c in cells))
    console.print(table)
    console.print(
        f"Coverage ({half} half): {result.coverage:.0%} of the judged grants and "
        f"{result.euro_coverage:.0%} of their euros get at least one domain; of the euros "
        f"of the grants the labeller gave a domain, {result.in_scope_euro_coverage:.0%}."
    )
    if audit is not None:
        console.print(
            f"Audit sample: {audit.judged} more grants ({audit.unknown} set aside), drawn "
            "mostly among those the rules give a key domain, labelled without knowing why: "
            "its precision is the better estimate where the first sample has few grants; "
            "its recall means nothing (the sample was drawn by the rules)."
        )
    if labels is None:
        fresh = evaluate(rules, read_labelled(vendee_grants_path()), half=half, domains=order)
        _print_fresh_file(fresh, half)
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
