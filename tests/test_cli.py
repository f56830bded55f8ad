"""The command line, end to end on real workspaces (Typer's runner, same process)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from typer.testing import CliRunner

from ecograph.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0 and "ecograph" in result.stdout


def test_init_then_generate_into_the_store(tmp_path: Path) -> None:
    store = str(tmp_path / "ws")
    assert _run("--store", store, "init").exit_code == 0
    assert json.loads((tmp_path / "ws" / "ecograph.json").read_text())["format"] == 1
    result = _run("--store", store, "generate", "--actors", "50", "--seed", "3")
    assert result.exit_code == 0, result.stdout
    assert "generated/44-50-3" in result.stdout
    again = _run("--store", store, "generate", "--actors", "50", "--seed", "3")
    assert "Already loaded" in again.stdout


def test_generate_to_a_file_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    for out in (first, second):
        assert _run("generate", "--actors", "120", "--seed", "9", "--out", str(out)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert len(list(ox.parse(path=str(first), format=ox.RdfFormat.N_TRIPLES))) > 1000


def test_generate_refuses_an_unknown_territory(tmp_path: Path) -> None:
    result = _run("generate", "--actors", "5", "--territory", "XX", "--out", str(tmp_path / "x.nt"))
    assert result.exit_code == 2
    assert "no territory has this name in the 2026 geography" in result.stderr


def test_commands_on_a_missing_store_say_what_to_do(tmp_path: Path) -> None:
    result = _run("--store", str(tmp_path / "none"), "stats")
    assert result.exit_code == 1
    assert "ecograph init" in result.stderr


def test_stats_validate_export_on_the_sample(sample_workspace: Path, tmp_path: Path) -> None:
    store = str(sample_workspace)
    stats = _run("--store", store, "stats", "--lang", "fr")
    assert stats.exit_code == 0
    assert "Nantes Métropole" in stats.stdout and "Association" in stats.stdout
    valid = _run("--store", store, "validate", "--graph", "sample")
    assert valid.exit_code == 0 and "Valid" in valid.stdout
    out = tmp_path / "sample.ttl"
    exported = _run("--store", store, "export", "--graph", "sample", "--out", str(out))
    assert exported.exit_code == 0
    triples = list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
    assert len(triples) > 10_000


def test_query_territory_parameter_takes_a_code_or_the_iri(sample_workspace: Path) -> None:
    """``-p territory 44`` binds the département's IRI: the same rows as the IRI itself."""
    store = str(sample_workspace)
    iri = "https://w3id.org/ecograph/territory/departement/44"
    by_iri = _run(
        "--store", store, "query", "actors-in-territory", "-p", "territory", iri, "-f", "csv"
    )
    by_code = _run(
        "--store", store, "query", "actors-in-territory", "-p", "territory", "44", "-f", "csv"
    )
    assert by_code.exit_code == 0, by_code.stderr
    assert by_code.stdout == by_iri.stdout and by_code.stdout.count("\n") > 10
    unknown = _run("--store", store, "query", "actors-in-territory", "-p", "territory", "99")
    assert unknown.exit_code == 2 and "no département has the code '99'" in unknown.stderr


def test_export_formats_round_trip(sample_workspace: Path, tmp_path: Path) -> None:
    """Every export format parses back to the same triples as N-Triples."""
    store = str(sample_workspace)
    parsed = {}
    for name, fmt in (
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        out = tmp_path / f"sample.{name}"
        assert (
            _run(
                "--store", store, "export", "-f", name, "--graph", "sample", "--out", str(out)
            ).exit_code
            == 0
        )
        parsed[name] = {str(t) for t in ox.parse(path=str(out), format=fmt)}
    assert parsed["turtle"] == parsed["ntriples"] == parsed["jsonld"]


def test_validate_reports_problems_in_words(tmp_path: Path) -> None:
    from ecograph.store import open_store

    folder = tmp_path / "ws"
    bad = (
        b"<https://e.org/a> a <https://w3id.org/ecograph/ontology#Actor> ;\n"
        b'  <https://w3id.org/ecograph/ontology#siren> "123456789"^^'
        b"<https://w3id.org/ecograph/ontology#SIREN> .\n"
    )
    with open_store(folder) as store:
        store.load(bad, format=ox.RdfFormat.TURTLE, graph="https://e.org/graph/bad")
    result = _run("--store", str(folder), "validate")
    assert result.exit_code == 1
    assert "SIREN" in result.stderr and "123456789" in result.stderr
    assert "Luhn" in result.stderr or "check digit" in result.stderr


def test_metrics_gaps_and_network_on_the_sample(sample_workspace: Path, tmp_path: Path) -> None:
    """The analysis commands end to end (metrics are not written: the workspace is shared)."""
    import csv
    import shutil

    import networkx as nx

    workspace = tmp_path / "ws"
    shutil.copytree(sample_workspace, workspace, ignore=shutil.ignore_patterns("writer.lock"))
    store = str(workspace)
    result = _run("--store", store, "metrics", "--top", "3")
    assert result.exit_code == 0, result.stdout
    assert "Matrice des liens entre secteurs" in result.stdout
    assert "Metrics written" in result.stderr
    out = tmp_path / "tables"
    assert (
        _run("--store", store, "metrics", "--no-write", "-f", "csv", "--out", str(out)).exit_code
        == 0
    )
    with (out / "actors.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) > 400
    gaps = _run(
        "--store", store, "gaps", "--territory", "epci/244400404", "--top", "3", "--lang", "en"
    )
    assert gaps.exit_code == 0 and "Suggested partnerships" in gaps.stdout
    bad = _run("--store", store, "gaps", "--territory", "nowhere")
    assert bad.exit_code == 2 and "no territory has this name" in bad.stderr
    unknown = _run("--store", store, "gaps", "--territory", "epci/999999999")
    assert unknown.exit_code == 2 and "no EPCI has the code '999999999'" in unknown.stderr
    filtered = _run("--store", store, "metrics", "--no-write", "--territory", "44", "--top", "3")
    assert filtered.exit_code == 0, filtered.stderr
    graphml = tmp_path / "sample.graphml"
    assert _run("--store", store, "network", "--out", str(graphml)).exit_code == 0
    graph = nx.read_graphml(graphml)
    assert graph.number_of_nodes() > 400
    assert {"sector", "betweenness", "epci"} <= set(next(iter(graph.nodes.values())))
    assert (
        _run(
            "--store", store, "network", "-f", "csv", "--out", str(tmp_path / "sample.csv")
        ).exit_code
        == 0
    )
    assert (tmp_path / "sample-nodes.csv").exists() and (tmp_path / "sample-edges.csv").exists()


def test_global_options_may_follow_the_command(tmp_path: Path) -> None:
    """`ecograph init --store X` and `ecograph --store X init` are the same command."""
    after = runner.invoke(app, ["init", "--store", str(tmp_path / "after")])
    assert after.exit_code == 0, after.output
    assert (tmp_path / "after").is_dir()
    equals = runner.invoke(app, ["stats", f"--store={tmp_path / 'after'}"])
    assert equals.exit_code == 0, equals.output
    nested = runner.invoke(app, ["gaps", "evaluate", "--store", str(tmp_path / "missing")])
    assert nested.exit_code != 0
    assert "missing" in nested.output


def test_hoisting_leaves_data_where_it_is() -> None:
    from ecograph.cli import hoist_global_options

    assert hoist_global_options(["demo", "--store", "X"]) == ["--store", "X", "demo"]
    assert hoist_global_options(["query", "q", "-p", "--store", "--endpoint", "--store", "Y"]) == [
        "--store",
        "Y",
        "query",
        "q",
        "-p",
        "--store",
        "--endpoint",
    ]
    assert hoist_global_options(["import", "--", "--store"]) == ["import", "--", "--store"]


def test_query_help_shows_how_to_pass_parameters() -> None:
    shown = runner.invoke(app, ["query", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "-p NAME VALUE" in shown.stdout and "-p territory 44" in shown.stdout


def test_query_lang_defaults_to_french_and_a_bare_rq_file_runs(
    sample_workspace: Path, tmp_path: Path
) -> None:
    store = ["--store", str(sample_workspace)]
    french = runner.invoke(
        app, [*store, "query", "actors-by-type-and-sector", "-p", "territory", "44", "-f", "csv"]
    )
    assert french.exit_code == 0, french.output
    assert "Association" in french.stdout and "Économie sociale et solidaire" in french.stdout
    english = runner.invoke(
        app,
        [
            *store,
            "query",
            "actors-by-type-and-sector",
            "-p",
            "territory",
            "44",
            "-f",
            "csv",
            "--lang",
            "en",
        ],
    )
    assert "Social and solidarity economy" in english.stdout
    bare = tmp_path / "count.rq"
    bare.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/ecograph/ontology#Actor> }"
    )
    counted = runner.invoke(app, [*store, "query", str(bare), "-f", "csv"])
    assert counted.exit_code == 0, counted.output
    assert counted.stdout.split()[0] == "n" and int(counted.stdout.split()[1]) > 400


def test_gaps_writes_csv_files_and_json(sample_workspace: Path, tmp_path: Path) -> None:
    import csv

    store = str(sample_workspace)
    scope = ("--territory", "epci/244400404", "--top", "3")
    refused = _run("--store", store, "gaps", "-f", "csv", *scope)
    assert refused.exit_code == 2 and "--out" in refused.stderr
    out = tmp_path / "gaps"
    result = _run("--store", store, "gaps", "-f", "csv", "--out", str(out), *scope)
    assert result.exit_code == 0, result.stderr
    names = ["sector_pairs", "domains", "actors", "communities", "suggestions"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in names)
    with (out / "suggestions.csv").open(encoding="utf-8", newline="") as handle:
        suggestions = list(csv.DictReader(handle))
    assert len(suggestions) == 3 and all(row["explanation"] for row in suggestions)
    as_json = _run("--store", store, "gaps", "-f", "json", *scope)
    assert as_json.exit_code == 0
    tables = json.loads(as_json.stdout)
    assert [row["actor_a"] for row in tables["suggestions"]] == [
        row["actor_a"] for row in suggestions
    ]


def test_gaps_evaluate_temporal_split(sample_workspace: Path) -> None:
    from ecograph.network.evaluate import temporal_split, tie_starts
    from ecograph.network.projection import project
    from ecograph.store import open_store

    store = str(sample_workspace)
    result = _run("--store", store, "gaps", "evaluate", "--repeats", "1", "--hide-from", "2024")
    assert result.exit_code == 0, result.stderr
    with open_store(sample_workspace, read_only=True) as opened:
        projection = project(opened)
    graph = projection.collaboration
    hidden = temporal_split(graph, tie_starts(graph, projection.contexts), 2024).hidden
    assert f"{len(hidden)} ties from 2024 on hidden" in result.stdout
    assert "ecograph" in result.stdout and "Jaccard" in result.stdout
    empty = _run("--store", store, "gaps", "evaluate", "--repeats", "1", "--hide-from", "2000")
    assert empty.exit_code == 2 and "nothing to learn from" in empty.stderr


def test_gaps_evaluate_help_gives_the_library_default() -> None:
    """The CLI leaves --repeats to the library; its help must name the same number."""
    import typing

    from ecograph.cli.gaps import gaps_evaluate
    from ecograph.network.evaluate import DEFAULT_REPEATS

    option = typing.get_type_hints(gaps_evaluate, include_extras=True)["repeats"].__metadata__[0]
    assert f"Default: {DEFAULT_REPEATS}," in option.help
