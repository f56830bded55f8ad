"""Empty spreadsheets with the expected columns and one example row, to fill in and import.

``ecograph import --template actors`` writes ``actors-template.xlsx`` (or a CSV when asked):
the columns are the default column names ``mapping.FIELDS`` recognises, so a filled template
imports with no mapping file.
"""

from __future__ import annotations

import csv
from pathlib import Path

EXAMPLES: dict[str, dict[str, str]] = {
    "actors": {
        "id": "A1",
        "name": "Les Jardins Partagés de Chantenay",
        "type": "association",
        "sector": "",
        "siren": "",
        "siret": "",
        "rna": "W442012345",
        "commune": "44109",
        "domains": "alimentation; environnement",
        "description": "Jardins collectifs et aide alimentaire de quartier",
    },
    "projects": {
        "id": "P1",
        "name": "Cantine solidaire",
        "lead": "A1",
        "participants": "A2; A3",
        "domains": "alimentation",
        "territory": "44109",
        "start": "2024-01-15",
        "end": "2025-12-31",
        "budget": "45 000",
        "currency": "EUR",
        "status": "en cours",
        "description": "Repas à prix libre préparés par des bénévoles",
    },
    "partnerships": {
        "id": "T1",
        "type": "subvention",
        "partners": "",
        "funder": "A3",
        "beneficiary": "A1",
        "project": "P1",
        "domains": "alimentation",
        "start": "01/03/2024",
        "end": "",
        "amount": "12 500",
        "currency": "EUR",
        "description": "Subvention de fonctionnement 2024",
    },
}
NOTES = {
    "actors": "name is required; type: association, scop, company, commune… (French words "
    "such as Asso or SARL work); commune: INSEE code or name; keep SIREN as text.",
    "projects": "id, name and lead are required; lead and participants are actor ids, "
    "SIRENs or names of actors already imported.",
    "partnerships": "type is required (subvention, co-construction, prestation, marché "
    "public, mécénat, adhésion, recherche); give partners, or funder and "
    "beneficiary.",
}


def write_template(kind: str, path: Path) -> Path:
    """Write the template of ``kind`` to ``path`` (.xlsx, else CSV with ``;``)."""
    example = EXAMPLES[kind]
    columns = list(example)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = kind
        sheet.append(columns)
        sheet.append([example[c] for c in columns])
        from openpyxl.styles import Font

        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in ("siren", "siret", "commune"):  # text cells keep leading zeros
            if column in columns:
                letter = sheet.cell(row=1, column=columns.index(column) + 1).column_letter
                for row in range(2, 1000):
                    sheet[f"{letter}{row}"].number_format = "@"
        notes = workbook.create_sheet("notes")
        notes.append([NOTES[kind]])
        workbook.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(columns)
            writer.writerow([example[c] for c in columns])
    return path
