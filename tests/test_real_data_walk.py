"""docs/real-data.md, run as written: every `ecograph` command of its bash blocks, in order,
in an empty folder holding the files the guide names.

The files are the real ones where the repository has them (the Département de
Loire-Atlantique's grants, shipped with ecograph; attribution in data/subsidies/PROVENANCE.md),
and otherwise files in the registers' real layouts with synthetic values (SIRENE's stock
files, an RNA waldec extract) and a hand-made list of voted grants in the shape councils
publish. A command the guide shows that fails here fails this test, so the guide stays true.
"""

from __future__ import annotations

import gzip
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecograph.resources import data_path
from ecograph.sample.real_grants import REAL_GRANTS
from ecograph.sample.registers import write_sirene_files

pytestmark = pytest.mark.slow

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "real-data.md"
RNA_FIXTURE = Path(__file__).parent / "fixtures" / "import" / "rna_waldec_20251201_dpt_44.csv"
GRANTS = "224400028_subventions-aux-associations-du-departement-de-loire-atlantique.csv"


def guide_commands() -> list[list[str]]:
    """The `ecograph …` commands of the guide's bash blocks, continuation lines joined and
    comments dropped, as argument lists without the leading ``ecograph``."""
    text = GUIDE.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "ecograph":
                commands.append(words[1:])
    return commands


def _files(folder: Path) -> None:
    """The files the guide imports, under the names it gives them."""
    units, establishments = write_sirene_files(folder, 3000, seed=7)
    units.rename(folder / "StockUniteLegale_utf8.csv")
    establishments.rename(folder / "StockEtablissement_utf8.csv")
    shutil.copy(RNA_FIXTURE, folder / "rna_waldec_20260101_dpt_44.csv")
    with gzip.open(data_path(REAL_GRANTS), "rb") as packed, (folder / GRANTS).open("wb") as out:
        shutil.copyfileobj(packed, out)
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Subventions votées par le conseil municipal, 2025"])
    sheet.append([])
    sheet.append(
        ["Bénéficiaire", "Code postal", "Ville", "Objet", "Fonctionnement", "Investissement"]
    )
    sheet.append(["Amicale Laïque Chantenay", "44100", "Nantes", "Fête de quartier", 1200, None])
    sheet.append(["Collectif Vélo", "44000", "Nantes", "Ateliers", 800, 15000])
    workbook.save(folder / "subventions-votees-2025.xlsx")


def test_the_guide_runs_as_written(tmp_path: Path) -> None:
    commands = guide_commands()
    assert len(commands) >= 10, commands
    assert any("--establishments" in c for c in commands)
    _files(tmp_path)
    env = dict(os.environ, COLUMNS="120")
    outputs = {}
    for words in commands:
        done = subprocess.run(
            [sys.executable, "-m", "ecograph", "--store", str(tmp_path / "ws"), *words],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (words, done.stdout[-1500:], done.stderr[-1500:])
        outputs[" ".join(words[:2])] = done.stdout + done.stderr
    # every file is one source, and the SIRENE units were cut to 44 by their seats
    sources = " ".join(outputs["sources"].split())
    for name in ("stockunitelegale", "stocketablissement", "rna-waldec", "224400028", "votees"):
        assert name in sources.lower(), name
    imported = " ".join(outputs["import StockUniteLegale_utf8.csv"].split())
    assert "not placed in departement/44" in imported
    # the report names where its actors come from, the grants' file first
    page = html.unescape(
        re.sub(r"<[^>]+>", " ", (tmp_path / "report-departement-44.html").read_text())
    )
    origins = " ".join(page.split())
    assert "Origine des acteurs : 4 09" in origins and GRANTS in origins
    assert "StockUniteLegale_utf8.csv" in origins and "rna_waldec_20260101_dpt_44.csv" in origins
