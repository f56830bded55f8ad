"""Synthetic national registers in their real layout, for the benchmark and the tests.

``write_rna_file`` writes an RNA "waldec" export (the header and column order of
``rna_waldec_…_dpt_XX.csv``, ``;``-separated, quoted, cp1252): fictional associations with
real communes, real purpose codes, W numbers, some SIRETs, and a share of dissolved and
deleted ones.

``write_sirene_files`` writes INSEE's two Sirene stock files (``StockUniteLegale_utf8.csv``,
35 columns, and ``StockEtablissement_utf8.csv``, 54 columns: the names and order of the files
published since December 2025, NAF 2025 columns included; comma-separated, UTF-8, quoted only
where a value needs it, LF): fictional units with Luhn-valid SIRENs in increasing order, each
with exactly one seat establishment and possibly more (Luhn-valid SIRETs), real communes and
postcodes drawn over all of France by population, a share of ESS units, ceased units and
closed establishments, and a few partially diffusible ones (statutDiffusion P, names and
street shown as ``[ND]``).

Nothing in them is real data; they are deterministic for a seed, and written one line at a
time (a national-size file costs no memory).
"""

from __future__ import annotations

import bisect
import csv
import functools
import random
import unicodedata
from dataclasses import dataclass
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


# ----------------------------------------------------------------------------- SIRENE stock
#: StockUniteLegale_utf8.csv, as INSEE publishes it (NAF 2025 column since December 2025).
SIRENE_UNIT_COLUMNS = [
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
]
#: StockEtablissement_utf8.csv, as INSEE publishes it (NAF 2025 column since December 2025).
SIRENE_ESTABLISHMENT_COLUMNS = [
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
]


@dataclass(frozen=True)
class _Family:
    """A kind of legal unit: its share, legal-form codes, activity codes, ESS share."""

    share: float
    codes: tuple[str, ...]
    nafs: tuple[str, ...]
    ess: float
    words: tuple[str, ...] = ()


_FAMILIES = (
    _Family(
        0.40,
        ("1000",),
        ("47.11B", "43.32A", "62.01Z", "86.90E", "96.02A", "49.32Z", "68.20A", "01.11Z"),
        0.0,
    ),
    _Family(
        0.36,
        ("5499", "5710", "5720", "5599", "6540", "5498"),
        ("70.10Z", "62.02A", "46.90Z", "41.20A", "68.20B", "47.19B", "71.12B", "56.10A"),
        0.02,
        ("SOCIETE", "SAS", "SARL", "HOLDING", "GROUPE", "ETABLISSEMENTS", "SCI"),
    ),
    _Family(
        0.17,
        ("9220", "9220", "9220", "9220", "9220", "9221", "9222", "9230", "9260"),
        ("94.99Z", "88.99B", "85.59A", "93.12Z", "90.01Z", "88.10C", "87.30A", "93.29Z"),
        0.95,
        ("ASSOCIATION", "AMICALE", "COMITE", "CLUB", "UNION", "COLLECTIF", "MAISON"),
    ),
    _Family(
        0.035,
        ("5458", "5558", "5460", "5560", "6317", "6316", "5547"),
        ("43.99C", "01.61Z", "62.01Z", "47.11F", "88.99B", "10.71C", "41.20B"),
        1.0,
        ("SCOP", "SCIC", "COOPERATIVE", "CUMA", "UNION COOPERATIVE"),
    ),
    _Family(
        0.01,
        ("9300", "8210", "8250", "6411"),
        ("88.99B", "72.19Z", "65.12Z", "66.29Z", "94.99Z"),
        0.9,
        ("FONDATION", "MUTUELLE", "MUTUELLE GENERALE"),
    ),
    _Family(
        0.025,
        ("7210", "7346", "7331", "7364", "4110"),
        ("84.11Z", "85.31Z", "86.10Z", "84.12Z"),
        0.0,
        ("COMMUNE", "COMMUNAUTE DE COMMUNES", "LYCEE", "CENTRE HOSPITALIER", "REGIE"),
    ),
)
_LAST_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "GUERIN", "LE GALL", "N'DIAYE", "NGUYEN",
)  # fmt: skip
_FIRST_NAMES = (
    ("M", ("JEAN", "PIERRE", "MICHEL", "ALAIN", "NICOLAS", "KARIM", "YANN", "LUCAS")),
    ("F", ("MARIE", "NATHALIE", "ISABELLE", "SYLVIE", "CLAIRE", "FATIMA", "LEA", "MAELLE")),
)
_STREETS = (
    ("RUE", "DE LA REPUBLIQUE"), ("RUE", "VICTOR HUGO"), ("AV", "JEAN JAURES"),
    ("BD", "DES ANGLAIS"), ("PL", "DU MARCHE"), ("CHE", "DES VIGNES"), ("IMP", "DES LILAS"),
    ("ALL", "DES TILLEULS"), ("RTE", "DE NANTES"), ("QUAI", "DE LA FOSSE"), ("RUE", "DE L'EGLISE"),
)  # fmt: skip
_SIZE_BANDS = ("NN", "NN", "NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "41")


@dataclass(frozen=True)
class _Places:
    """Communes with a postcode, drawn by population (``population ** 0.8``: Loire-Atlantique
    gets about 1.9 % of the draws), over France or within one département."""

    communes: list[tuple[str, tuple[str, ...], str, str, float, float]]
    cumulative: list[float]
    by_departement: dict[str, tuple[list[int], list[float]]]

    def anywhere(self, rng: random.Random) -> int:
        return bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])

    def near(self, rng: random.Random, departement: str) -> int:
        indexes, cumulative = self.by_departement[departement]
        return indexes[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


@functools.cache
def _places() -> _Places:
    layout = random.Random(2026)  # a fixed Lambert-93-like point per commune
    communes = []
    weights = []
    for commune in sorted(geography().communes.values(), key=lambda c: c.code):
        if not commune.postcodes:
            continue
        label = "".join(
            c for c in unicodedata.normalize("NFKD", commune.name) if not unicodedata.combining(c)
        ).upper()
        x, y = layout.uniform(120_000, 1_200_000), layout.uniform(6_050_000, 7_100_000)
        communes.append((commune.code, commune.postcodes, label, commune.departement, x, y))
        weights.append(float(commune.population or 1) ** 0.8)
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    grouped: dict[str, tuple[list[int], list[float]]] = {}
    for index, (_, _, _, departement, _, _) in enumerate(communes):
        indexes, sums = grouped.setdefault(departement, ([], []))
        indexes.append(index)
        sums.append((sums[-1] if sums else 0.0) + weights[index])
    return _Places(communes, cumulative, grouped)


def _luhn_digit(body: str) -> str:
    """The digit that makes ``body`` + digit pass the Luhn check (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:  # the check digit's neighbour is doubled
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str(-total % 10)


def _date(rng: random.Random, first: int, last: int) -> str:
    return f"{rng.randint(first, last)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def write_sirene_files(
    folder: Path, units: int, establishments_per_unit: float = 2.0, *, seed: int = 1
) -> tuple[Path, Path]:
    """``StockUniteLegale_utf8.csv`` (``units`` rows) and ``StockEtablissement_utf8.csv``
    (on average ``establishments_per_unit`` rows a unit, exactly one of them its seat) in
    ``folder``; returns their paths (units, establishments).

    Shares: 40 % sole traders (5 % of them partially diffusible, P), 36 % companies, 17 %
    associations, a few cooperatives, foundations, mutuals and public bodies; about 21 % of
    the units flagged ESS, 30 % ceased (C, every establishment closed, F), a third of the
    other establishments closed. A seat's commune is drawn over France by population; seven
    other establishments in ten lie in the seat's département."""
    if establishments_per_unit < 1:
        raise ValueError("every unit has its seat: establishments_per_unit must be >= 1")
    if not 0 <= units <= 70_000_000:
        raise ValueError("units: between 0 and 70,000,000 (one SIREN each)")
    rng = random.Random(seed)
    places = _places()
    more = (establishments_per_unit - 1) / establishments_per_unit  # geometric, mean e - 1
    step = 70_000_000 // max(units, 1)
    family_sums = []
    total = 0.0
    for family in _FAMILIES:
        total += family.share
        family_sums.append(total)
    unit_path = folder / "StockUniteLegale_utf8.csv"
    establishment_path = folder / "StockEtablissement_utf8.csv"
    with (
        unit_path.open("w", encoding="utf-8", newline="") as unit_file,
        establishment_path.open("w", encoding="utf-8", newline="") as establishment_file,
    ):
        write_unit = csv.writer(unit_file, lineterminator="\n").writerow
        write_establishment = csv.writer(establishment_file, lineterminator="\n").writerow
        write_unit(SIRENE_UNIT_COLUMNS)
        write_establishment(SIRENE_ESTABLISHMENT_COLUMNS)
        for i in range(units):
            body = f"{30_000_000 + i * step + rng.randrange(step):08d}"
            siren = body + _luhn_digit(body)
            family = _FAMILIES[min(bisect.bisect(family_sums, rng.random()), len(_FAMILIES) - 1)]
            code = rng.choice(family.codes)
            naf = rng.choice(family.nafs)
            naf25 = naf[:5] + ("Y" if naf.endswith("Z") else naf[5])
            person = code == "1000"
            hidden = person and rng.random() < 0.05
            ceased = rng.random() < 0.3
            created = _date(rng, 1950, 2025)
            band = rng.choice(_SIZE_BANDS)
            seat_place = places.anywhere(rng)
            departement = places.communes[seat_place][3]
            count = 1
            while count < 500 and rng.random() < more:
                count += 1
            first_nic = rng.randint(1, 40)
            nics = [f"{first_nic + k:04d}" for k in range(count)]
            nics = [nic + _luhn_digit(siren + nic) for nic in nics]
            seat_at = count - 1 if count > 1 and rng.random() < 0.3 else 0  # a seat that moved
            unit = {
                "siren": siren,
                "statutDiffusionUniteLegale": "P" if hidden else "O",
                "unitePurgeeUniteLegale": "true" if ceased and created < "1990" else "",
                "dateCreationUniteLegale": created,
                "trancheEffectifsUniteLegale": band,
                "anneeEffectifsUniteLegale": "" if band == "NN" else "2023",
                "dateDernierTraitementUniteLegale": f"{_date(rng, 2015, 2025)}T0{rng.randint(1, 9)}"
                f":{rng.randint(10, 59)}:{rng.randint(10, 59)}",
                "nombrePeriodesUniteLegale": str(rng.randint(1, 6)),
                "dateDebut": created if rng.random() < 0.5 else _date(rng, int(created[:4]), 2025),
                "etatAdministratifUniteLegale": "C" if ceased else "A",
                "categorieJuridiqueUniteLegale": code,
                "activitePrincipaleUniteLegale": naf,
                "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
                "nicSiegeUniteLegale": nics[seat_at],
                "economieSocialeSolidaireUniteLegale": "O"
                if rng.random() < family.ess
                else ("N" if rng.random() < 0.9 else ""),
                "caractereEmployeurUniteLegale": "N" if band in ("NN", "00") else "O",
                "activitePrincipaleNAF25UniteLegale": "" if ceased else naf25,
            }
            if person:
                sex, first_names = rng.choice(_FIRST_NAMES)
                first = rng.choice(first_names)
                if hidden:
                    first = sex = "[ND]"
                    unit["nomUniteLegale"] = "[ND]"
                else:
                    unit["nomUniteLegale"] = rng.choice(_LAST_NAMES)
                    if rng.random() < 0.1:
                        unit["nomUsageUniteLegale"] = rng.choice(_LAST_NAMES)
                    if rng.random() < 0.3:
                        unit["prenom2UniteLegale"] = rng.choice(first_names)
                unit |= {"sexeUniteLegale": sex, "prenom1UniteLegale": first}
                unit["prenomUsuelUniteLegale"] = first
            else:
                name = f"{rng.choice(family.words)} {rng.choice(_WORDS).upper()} {i}"
                if rng.random() < 0.05:
                    name += f", {places.communes[seat_place][2]}"  # a comma: a quoted value
                unit["denominationUniteLegale"] = name
                unit["categorieEntreprise"] = rng.choice(("PME", "PME", "PME", "ETI", "GE"))
                unit["anneeCategorieEntreprise"] = "2023"
                if rng.random() < 0.15:
                    unit["sigleUniteLegale"] = "".join(w[0] for w in name.split()[:2])
                if rng.random() < 0.05:
                    unit["denominationUsuelle1UniteLegale"] = name.split()[1]
                if code.startswith("92") and rng.random() < 0.6:
                    gestion = (departement + "0")[:3]
                    unit["identifiantAssociationUniteLegale"] = f"W{gestion}{i % 1_000_000:06d}"
                if code[0] == "5":
                    unit["societeMissionUniteLegale"] = "O" if rng.random() < 0.01 else "N"
            write_unit([unit.get(c, "") for c in SIRENE_UNIT_COLUMNS])
            for k, nic in enumerate(nics):
                seat = k == seat_at
                if seat:
                    place = seat_place
                elif rng.random() < 0.7:
                    place = places.near(rng, departement)
                else:
                    place = places.anywhere(rng)
                commune, postcodes, label, _, x, y = places.communes[place]
                closed = ceased or k < seat_at or (not seat and rng.random() < 0.35)
                street_type, street = rng.choice(_STREETS)
                number = str(rng.randint(1, 180))
                opened = _date(rng, int(created[:4]), 2025)
                establishment = {
                    "siren": siren,
                    "nic": nic,
                    "siret": siren + nic,
                    "statutDiffusionEtablissement": "P" if hidden else "O",
                    "dateCreationEtablissement": opened,
                    "trancheEffectifsEtablissement": band if seat else rng.choice(_SIZE_BANDS),
                    "anneeEffectifsEtablissement": "" if band == "NN" else "2023",
                    "dateDernierTraitementEtablissement": unit["dateDernierTraitementUniteLegale"],
                    "etablissementSiege": "true" if seat else "false",
                    "nombrePeriodesEtablissement": str(rng.randint(1, 4)),
                    "numeroVoieEtablissement": number,
                    "typeVoieEtablissement": street_type,
                    "libelleVoieEtablissement": street,
                    "codePostalEtablissement": rng.choice(postcodes),
                    "libelleCommuneEtablissement": label,
                    "codeCommuneEtablissement": commune,
                    "identifiantAdresseEtablissement": f"{commune}_{rng.randint(1000, 9999)}_"
                    f"{int(number):05d}",
                    "coordonneeLambertAbscisseEtablissement": f"{x + rng.uniform(-3e3, 3e3):.1f}",
                    "coordonneeLambertOrdonneeEtablissement": f"{y + rng.uniform(-3e3, 3e3):.1f}",
                    "dateDebut": opened,
                    "etatAdministratifEtablissement": "F" if closed else "A",
                    "activitePrincipaleEtablissement": naf,
                    "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                    "caractereEmployeurEtablissement": "N" if band in ("NN", "00") else "O",
                    "activitePrincipaleNAF25Etablissement": "" if closed else naf25,
                }
                if rng.random() < 0.05:
                    establishment["indiceRepetitionEtablissement"] = "B"
                if rng.random() < 0.08:
                    establishment["complementAdresseEtablissement"] = "BATIMENT A"
                if hidden:
                    for column in (
                        "numeroVoieEtablissement",
                        "typeVoieEtablissement",
                        "libelleVoieEtablissement",
                        "identifiantAdresseEtablissement",
                        "coordonneeLambertAbscisseEtablissement",
                        "coordonneeLambertOrdonneeEtablissement",
                    ):
                        establishment[column] = "[ND]"
                elif not person and rng.random() < 0.2:
                    establishment["enseigne1Etablissement"] = f"{rng.choice(_WORDS).upper()} {k}"
                write_establishment(
                    [establishment.get(c, "") for c in SIRENE_ESTABLISHMENT_COLUMNS]
                )
    return unit_path, establishment_path
