"""Synthetic national registers in their real layout, for the benchmark and the tests.

``write_rna_file`` writes an RNA "waldec" export (the header and column order of
``rna_waldec_…_dpt_XX.csv``, ``;``-separated, quoted, cp1252): fictional associations with
real communes, real purpose codes, W numbers, some SIRETs, and a share of dissolved and
deleted ones. Nothing in it is real data; it is deterministic for a seed, and written one line
at a time (a 2 M-line file costs no memory).
"""

from __future__ import annotations

import random
from pathlib import Path

from ecograph.geography import geography
from ecograph.identifiers import luhn_valid

RNA_COLUMNS = [
    "id",
    "id_ex",
    "siret",
    "rup_mi",
    "gestion",
    "date_creat",
    "date_decla",
    "date_publi",
    "date_disso",
    "nature",
    "groupement",
    "titre",
    "titre_court",
    "objet",
    "objet_social1",
    "objet_social2",
    "adrs_complement",
    "adrs_numvoie",
    "adrs_repetition",
    "adrs_typevoie",
    "adrs_libvoie",
    "adrs_distrib",
    "adrs_codeinsee",
    "adrs_codepostal",
    "adrs_libcommune",
    "adrg_declarant",
    "adrg_complemid",
    "adrg_complemgeo",
    "adrg_libvoie",
    "adrg_distrib",
    "adrg_codepostal",
    "adrg_achemine",
    "adrg_pays",
    "dir_civilite",
    "siteweb",
    "publiweb",
    "observation",
    "position",
    "maj_time",
]
_CODES = [
    "006000",
    "006030",
    "006070",
    "009005",
    "009030",
    "011075",
    "011105",
    "013005",
    "014035",
    "015005",
    "017000",
    "017055",
    "018015",
    "019010",
    "019025",
    "020010",
    "021010",
    "024000",
    "024045",
    "030010",
    "032510",
    "040000",
    "050000",
]
_WORDS = [
    "Amicale",
    "Comité",
    "Union",
    "Collectif",
    "Club",
    "Association",
    "Maison",
    "Atelier",
    "Réseau",
    "Entraide",
    "Solidarité",
    "Jardins",
    "Théâtre",
    "Musique",
    "Sport",
    "Santé",
    "Logement",
    "Quartier",
    "Enfance",
    "Aînés",
]


def _luhn_complete(rng: random.Random, length: int, prefix: str = "") -> str:
    while True:
        body = prefix + "".join(rng.choice("0123456789") for _ in range(length - 1 - len(prefix)))
        for digit in "0123456789":
            if luhn_valid(body + digit):
                return body + digit


def _siret(rng: random.Random) -> str:
    siren = _luhn_complete(rng, 9, rng.choice("3456789"))
    return _luhn_complete(rng, 14, siren + "0001")


def _quoted(cells: list[str]) -> str:
    return ";".join('"' + c.replace('"', '""') + '"' for c in cells)


def write_rna_file(
    path: Path,
    rows: int,
    *,
    seed: int = 1,
    departements: tuple[str, ...] = (),
    dissolved_share: float = 0.1,
    siret_share: float = 0.05,
) -> None:
    """An RNA waldec file of ``rows`` associations (after the header), cp1252."""
    rng = random.Random(seed)
    table = geography()
    communes = [
        c for c in table.communes.values() if not departements or c.departement in departements
    ]
    communes.sort(key=lambda c: c.code)
    with path.open("w", encoding="cp1252", errors="replace", newline="") as out:
        out.write(";".join(RNA_COLUMNS) + "\r\n")
        for i in range(rows):
            commune = rng.choice(communes)
            gestion = (commune.departement + "0")[:3]
            number = f"W{gestion}{i % 1_000_000:06d}"
            created = f"{rng.randint(1950, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            roll = rng.random()
            position, dissolved = "A", "0001-01-01"
            if roll < dissolved_share:
                position, dissolved = "D", f"{rng.randint(2010, 2025)}-06-30"
            elif roll < dissolved_share * 1.1:
                position = "S"
            name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS).lower()} n°{i} de {commune.name}"
            cells = {
                "id": number,
                "id_ex": f"{gestion}{i:07d}",
                "siret": _siret(rng) if rng.random() < siret_share else "",
                "gestion": f"{gestion}P",
                "date_creat": created,
                "date_decla": created,
                "date_publi": created,
                "date_disso": dissolved,
                "nature": "D",
                "groupement": "S",
                "titre": name.upper(),
                "titre_court": name[:38].upper(),
                "objet": f"favoriser « la vie » associative et les échanges n°{i}; réunir; agir",
                "objet_social1": rng.choice(_CODES),
                "objet_social2": rng.choice(_CODES) if rng.random() < 0.3 else "000000",
                "adrs_numvoie": str(rng.randint(1, 200)),
                "adrs_typevoie": "RUE",
                "adrs_libvoie": "de l'Église",
                "adrs_codeinsee": commune.code,
                "adrs_codepostal": commune.code if commune.code.isdigit() else "20000",
                "adrs_libcommune": commune.name.upper(),
                "dir_civilite": rng.choice(("PM", "PF")),
                "publiweb": "0",
                "position": position,
                "maj_time": "2025-11-30 10:12:43",
            }
            out.write(_quoted([cells.get(c, "") for c in RNA_COLUMNS]) + "\r\n")
