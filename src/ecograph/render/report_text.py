"""The words and number formats of the territorial report, in French (default) and English.

Kept apart from the template so a translator edits one table, and so the tests can check that
both languages have every phrase (a missing key fails at once instead of printing a blank).
Numbers follow each language's conventions: ``12 345,5`` and ``42 %`` in French (narrow
no-break spaces), ``12,345.5`` and ``42%`` in English.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGS", "Formats", "formats", "words"]

LANGS = ("fr", "en")

_NNBSP = "\u202f"  # narrow no-break space: French thousands separator and before % and €

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Rapport territorial — {name}",
        "level.commune": "commune",
        "level.epci": "EPCI",
        "level.departement": "département",
        "level.region": "région",
        "level.france": "ensemble des données",
        "levels.commune": "communes",
        "levels.epci": "EPCI",
        "levels.departement": "départements",
        "levels.region": "régions",
        "subtitle": "{level} · code {code}",
        "population": "{population} habitants",
        "made": "Établi le {date} par ecograph {version} (graine {seed}).",
        "sources": "Les chiffres viennent de la base de données d'ecograph ; vérifiez leurs "
        "sources avant toute décision.",
        "fictional.all": "Acteurs fictifs : les acteurs de ce rapport ont été inventés par le "
        "générateur d'ecograph (l'échantillon intégré). Seuls les territoires et les "
        "collectivités sont réels ; aucun chiffre ne décrit une organisation existante.",
        "fictional.some": "Acteurs en partie fictifs : {n} des {total} acteurs de ce rapport "
        "ont été inventés par le générateur d'ecograph (l'échantillon intégré) ; les "
        "chiffres mêlent données réelles et fictives.",
        "origins": "Origine des acteurs : {list}.",
        "unplaced": "{n} de ces acteurs n'ont pas de commune connue : ils figurent ici parce "
        "qu'une collectivité du territoire les finance (un fichier de subventions nomme ses "
        "bénéficiaires sans adresse). Importez le répertoire des associations (RNA) ou le "
        "stock SIRENE du territoire pour les situer.",
        "empty": "Aucun acteur n'est établi sur ce territoire dans la base de données : ce "
        "rapport n'a ni chiffre, ni réseau, ni manque à montrer. Importez des acteurs de "
        "ce territoire (ecograph import) ou choisissez-en un autre.",
        "contents": "Sommaire",
        "summary": "En bref",
        "summary.actors": "acteurs",
        "summary.ties": "liens de coopération",
        "summary.partnerships": "partenariats",
        "summary.projects": "projets",
        "summary.funding": "de financements déclarés",
        "summary.cross": "des liens relient deux secteurs différents",
        "actors": "Les acteurs",
        "by_type": "Acteurs par type",
        "by_sector": "Acteurs par secteur",
        "by_domain": "Acteurs par domaine d'action",
        "by_domain.note": "Un acteur peut agir dans plusieurs domaines.",
        "by_domain.inferred": "Pour {actors} de ces acteurs, au moins un domaine est déduit par "
        "ecograph des mots de leur nom, de leur objet ou des subventions qu'ils reçoivent (règles "
        "de mots-clés du schéma des domaines) : aucune source ne le déclare. La requête « "
        "provenance d'un fait » dit, pour chacun, le mot-clé qui l'a donné.",
        "funding_by_domain": "Financements par domaine d'action",
        "funding_by_domain.note": "Montants des subventions touchant le territoire, par domaine ; "
        "une subvention de plusieurs domaines compte dans chacun.",
        "funding_by_domain.inferred": "{with_domain} des {total} subventions ont un domaine "
        "d'action ; {grants} le tiennent des mots de leur objet ou du nom de leur bénéficiaire "
        "(domaine déduit), aucune source ne le déclarant.",
        "col.grants": "Subventions",
        "col.inferred_grants": "dont domaine déduit",
        "by_sub": "Acteurs par {levels}",
        "density": "Acteurs pour 1 000 habitants, par {level}",
        "density.none": "aucun acteur",
        "density.note": "Fond : IGN, Admin Express COG 2018 (Licence Ouverte). Les chiffres "
        "de la carte sont dans le tableau qui suit.",
        "density.name": "territoire",
        "density.actors": "acteurs",
        "density.population": "habitants",
        "density.per_1000": "pour 1 000 habitants",
        "funding.map": "Financements reçus par habitant, par {level}",
        "funding.received": "financements reçus",
        "funding.per": "euros par habitant",
        "funding.none_here": "aucun financement reçu",
        "gap.map": "Sans acteur du domaine « {domain} » : les habitants, par {level}",
        "gap.some": "au moins un acteur du domaine « {domain} »",
        "gap.actors": "acteurs du domaine",
        "gap.left": "habitants sans acteur du domaine",
        "gap.summary": "Par domaine social : les territoires sans aucun acteur du domaine",
        "gap.line": "{parts} {level} sur {total} sans acteur, {people} habitants",
        "partnerships": "Partenariats et financements",
        "by_ptype": "Partenariats par type",
        "projects_count": "Projets auxquels participe au moins un acteur du territoire : {n}.",
        "funding": "Financements par secteur",
        "funding.note": "Somme des montants des partenariats de financement qui touchent le "
        "territoire (le financeur ou le bénéficiaire y est établi), du secteur "
        "du financeur vers celui du bénéficiaire.",
        "funding.missing": "{n} partenariat(s) de financement sans montant ne sont pas comptés.",
        "funding.none": "Aucun partenariat de financement sur ce territoire.",
        "col.funder": "Secteur du financeur",
        "col.beneficiary": "Secteur du bénéficiaire",
        "col.partnerships": "Partenariats",
        "col.amount": "Montant",
        "col.total": "Total",
        "cross": "Coopération entre secteurs",
        "cross.note": "Part des liens de coopération entre deux acteurs de secteurs différents "
        "et indice E-I de Krackhardt (−1 : chaque secteur reste entre soi ; "
        "+1 : tous les liens traversent les secteurs), comparés au territoire "
        "parent. Seuls comptent les liens entre deux acteurs du territoire.",
        "col.territory": "Territoire",
        "col.actors": "Acteurs",
        "col.ties": "Liens",
        "col.cross_ties": "Liens entre secteurs",
        "col.cross_share": "Part entre secteurs",
        "col.ei": "Indice E-I",
        "col.sector": "Secteur",
        "cross.chart": "Part des liens entre secteurs",
        "cross.by_sector": "Indice E-I par secteur",
        "mixing": "Matrice de mixité des secteurs",
        "mixing.note": "Chaque case donne le nombre de liens entre le secteur de la ligne et "
        "celui de la colonne, et leur part dans les liens du secteur de la "
        "ligne (la couleur suit cette part).",
        "mixing.empty": "Pas de lien entre acteurs du territoire : pas de matrice.",
        "brokers": "Principaux acteurs passerelles",
        "brokers.note": "Acteurs situés sur le plus de plus courts chemins entre les autres "
        "(intermédiarité), avec leur nombre de partenaires et la diversité des "
        "secteurs de ces partenaires (indice de Blau, 0 à 1).",
        "brokers.none": "Aucun acteur ne fait le lien entre d'autres acteurs ici.",
        "col.name": "Acteur",
        "col.degree": "Partenaires",
        "col.betweenness": "Intermédiarité",
        "col.blau": "Diversité (Blau)",
        "col.brokerage": "Rôles de courtage",
        "brokerage.note": "Rôles de courtage (Gould et Fernandez) : nombre de chaînes de "
        "financement A → acteur → C où l'acteur est financé par A et finance C, que A ne "
        "finance pas directement. Seuls les financements comptent ; la plupart des acteurs "
        "financent ou sont financés sans faire les deux, d'où les nombreux 0.",
        "gaps": "Manques structurels",
        "gaps.sectors": "Secteurs présents qui ne coopèrent jamais ici",
        "gaps.sectors.none": "Chaque paire de secteurs présents a au moins un lien.",
        "gaps.sub_sectors": "Secteurs qui ne se rencontrent pas, par {level}",
        "gaps.domains": "Domaines sans acteur, ou sans partenaire public ou privé",
        "gaps.domains.none": "Aucun domaine ne manque d'acteur ou de partenaire.",
        "gaps.missing.actor": "aucun acteur",
        "gaps.missing.sector": "aucun partenaire « {sector} »",
        "gaps.actors": "{isolated} acteur(s) isolé(s) (aucun lien) et {peripheral} "
        "périphérique(s) (un seul lien).",
        "col.sectors": "Secteurs",
        "col.actor_counts": "Acteurs de chaque secteur",
        "col.domain": "Domaine",
        "col.missing": "Ce qui manque",
        "col.on_domain": "Acteurs du domaine",
        "suggestions": "Partenariats suggérés",
        "suggestions.note": "Paires d'acteurs sans lien, classées par un score appris sur le "
        "réseau (partenaires communs, domaines partagés, même EPCI, "
        "secteurs complémentaires), chacune avec ses raisons.",
        "suggestions.none": "Trop peu de liens ici pour suggérer des partenariats.",
        "col.actor_a": "Acteur",
        "col.actor_b": "Devrait rencontrer",
        "col.score": "Score",
        "col.why": "Pourquoi",
        "map": "Carte du réseau",
        "map.print": "La carte interactive n'est pas imprimable : ouvrez le fichier HTML "
        "dans un navigateur pour l'explorer.",
        "map.title": "Carte interactive des acteurs et de leurs liens",
        "map.none": "Carte non incluse.",
        "method": "Méthode",
        "method.text": "Projection du graphe de connaissances en réseau d'acteurs (un lien "
        "par partenariat ou projet partagé), puis mesures de mixité, "
        "d'intermédiarité ({betweenness}), communautés de Louvain et score de "
        "liens ; tout est déterministe pour une graine donnée.",
        "unknown": "non renseigné",
        "whole_territory": "à l'échelle du territoire",
        "unknown_place": "commune inconnue",
        "none": "—",
        "chart.legend": "Part des liens du secteur de la ligne",
        "parent.of": "parent : {name}",
    },
    "en": {
        "title": "Territorial report — {name}",
        "level.commune": "commune",
        "level.epci": "EPCI",
        "level.departement": "département",
        "level.region": "region",
        "level.france": "whole dataset",
        "levels.commune": "communes",
        "levels.epci": "EPCIs",
        "levels.departement": "départements",
        "levels.region": "regions",
        "subtitle": "{level} · code {code}",
        "population": "{population} inhabitants",
        "made": "Made on {date} by ecograph {version} (seed {seed}).",
        "sources": "Figures come from the data in the database; check their sources before "
        "acting on them.",
        "fictional.all": "Fictional actors: the actors in this report were made up by "
        "ecograph's generator (the built-in sample). Only the territories and local "
        "authorities are real; no figure describes an existing organisation.",
        "fictional.some": "Partly fictional actors: {n} of the {total} actors in this report "
        "were made up by ecograph's generator (the built-in sample); the figures mix real "
        "and fictional data.",
        "origins": "Where the actors come from: {list}.",
        "unplaced": "{n} of these actors have no known commune: they are here because a "
        "local authority of the territory funds them (a subsidy file names its beneficiaries "
        "without an address). Import the territory's associations register (RNA) or SIRENE "
        "stock to place them.",
        "empty": "No actor is based in this territory in the database: this report has no "
        "figures, network or gaps to show. Import actors of this territory (ecograph "
        "import) or choose another one.",
        "contents": "Contents",
        "summary": "At a glance",
        "summary.actors": "actors",
        "summary.ties": "collaboration ties",
        "summary.partnerships": "partnerships",
        "summary.projects": "projects",
        "summary.funding": "of recorded funding",
        "summary.cross": "of ties link two different sectors",
        "actors": "Actors",
        "by_type": "Actors by type",
        "by_sector": "Actors by sector",
        "by_domain": "Actors by domain",
        "by_domain.note": "An actor may work in several domains.",
        "by_domain.inferred": "For {actors} of these actors, at least one domain was inferred by "
        "ecograph from the words of their name, their purpose or the grants they receive (the "
        'keyword rules of the domain scheme): no source states it. The "fact provenance" '
        "query tells, for each, the keyword that gave it.",
        "funding_by_domain": "Funding by domain of action",
        "funding_by_domain.note": "Amounts of the grants touching the territory, by domain; a "
        "grant of several domains counts in each.",
        "funding_by_domain.inferred": "{with_domain} of the {total} grants have a domain of "
        "action; {grants} have it from the words of their object or of their beneficiary's name "
        "(inferred), no source stating it.",
        "col.grants": "Grants",
        "col.inferred_grants": "of which inferred",
        "by_sub": "Actors by {levels}",
        "density": "Actors per 1,000 inhabitants, by {level}",
        "density.none": "no actor",
        "density.note": "Basemap: IGN, Admin Express COG 2018 (Licence Ouverte). The map's "
        "figures are in the table below.",
        "density.name": "territory",
        "density.actors": "actors",
        "density.population": "inhabitants",
        "density.per_1000": "per 1,000 inhabitants",
        "funding.map": "Funding received per inhabitant, by {level}",
        "funding.received": "funding received",
        "funding.per": "euros per inhabitant",
        "funding.none_here": "no funding received",
        "gap.map": 'No actor on "{domain}": the inhabitants, by {level}',
        "gap.some": 'at least one actor on "{domain}"',
        "gap.actors": "actors on the domain",
        "gap.left": "inhabitants without an actor on it",
        "gap.summary": "Per social domain: the parts with no actor on it",
        "gap.line": "{parts} {level} of {total} without an actor, {people} inhabitants",
        "partnerships": "Partnerships and funding",
        "by_ptype": "Partnerships by type",
        "projects_count": "Projects with at least one actor of the territory: {n}.",
        "funding": "Funding by sector",
        "funding.note": "Sum of the amounts of funding partnerships touching the territory "
        "(funder or beneficiary based there), from the funder's sector to the "
        "beneficiary's.",
        "funding.missing": "{n} funding partnership(s) without an amount are not counted.",
        "funding.none": "No funding partnership in this territory.",
        "col.funder": "Funder sector",
        "col.beneficiary": "Beneficiary sector",
        "col.partnerships": "Partnerships",
        "col.amount": "Amount",
        "col.total": "Total",
        "cross": "Cross-sector collaboration",
        "cross.note": "Share of collaboration ties between actors of different sectors, and "
        "Krackhardt's E-I index (−1: every sector keeps to itself; +1: every tie "
        "crosses sectors), compared with the parent territory. Only ties between "
        "two actors of the territory count.",
        "col.territory": "Territory",
        "col.actors": "Actors",
        "col.ties": "Ties",
        "col.cross_ties": "Cross-sector ties",
        "col.cross_share": "Cross-sector share",
        "col.ei": "E-I index",
        "col.sector": "Sector",
        "cross.chart": "Share of cross-sector ties",
        "cross.by_sector": "E-I index by sector",
        "mixing": "Sector mixing matrix",
        "mixing.note": "Each cell gives the number of ties between the row's sector and the "
        "column's, and their share of the row sector's ties (the colour follows "
        "that share).",
        "mixing.empty": "No tie between actors of the territory: no matrix.",
        "brokers": "Top brokers",
        "brokers.note": "Actors on the most shortest paths between others (betweenness), with "
        "their number of partners and how varied their partners' sectors are "
        "(Blau index, 0 to 1).",
        "brokers.none": "No actor links other actors here.",
        "col.name": "Actor",
        "col.degree": "Partners",
        "col.betweenness": "Betweenness",
        "col.blau": "Diversity (Blau)",
        "col.brokerage": "Brokerage roles",
        "brokerage.note": "Brokerage roles (Gould and Fernandez): the number of funding chains "
        "A → actor → C in which the actor is funded by A and funds C, which A does not fund "
        "directly. Only funding counts; most actors fund or are funded but not both, hence "
        "the many 0s.",
        "gaps": "Structural gaps",
        "gaps.sectors": "Sectors present that never work together here",
        "gaps.sectors.none": "Every pair of sectors present has at least one tie.",
        "gaps.sub_sectors": "Sectors that never meet, by {level}",
        "gaps.domains": "Domains without an actor, or without a public or private partner",
        "gaps.domains.none": "No domain lacks an actor or a partner.",
        "gaps.missing.actor": "no actor",
        "gaps.missing.sector": "no “{sector}” partner",
        "gaps.actors": "{isolated} isolated actor(s) (no tie) and {peripheral} peripheral "
        "(a single tie).",
        "col.sectors": "Sectors",
        "col.actor_counts": "Actors of each sector",
        "col.domain": "Domain",
        "col.missing": "What is missing",
        "col.on_domain": "Actors on the domain",
        "suggestions": "Suggested partnerships",
        "suggestions.note": "Untied pairs of actors ranked by a score fitted on the network "
        "(common partners, shared domains, same EPCI, complementary "
        "sectors), each with its reasons.",
        "suggestions.none": "Too few ties here to suggest partnerships.",
        "col.actor_a": "Actor",
        "col.actor_b": "Should meet",
        "col.score": "Score",
        "col.why": "Why",
        "map": "Network map",
        "map.print": "The interactive map cannot be printed: open the HTML file in a browser "
        "to explore it.",
        "map.title": "Interactive map of the actors and their ties",
        "map.none": "Map not included.",
        "method": "Method",
        "method.text": "The knowledge graph is projected into an actor network (one tie per "
        "shared partnership or project), then mixing, betweenness "
        "({betweenness}), Louvain communities and the link score are computed; "
        "everything is deterministic for a given seed.",
        "unknown": "not given",
        "whole_territory": "territory-wide",
        "unknown_place": "commune unknown",
        "none": "—",
        "chart.legend": "Share of the row sector's ties",
        "parent.of": "parent: {name}",
    },
}


def words(lang: str) -> Mapping[str, str]:
    """The report's phrases in ``lang`` (``fr`` or ``en``)."""
    if lang not in _WORDS:
        raise ValueError(f"language {lang!r}: the report is written in {' or '.join(LANGS)}")
    return _WORDS[lang]


class Formats:
    """Numbers, shares and amounts written the way readers of ``lang`` expect."""

    def __init__(self, lang: str) -> None:
        words(lang)  # refuse an unknown language here too
        self.lang = lang

    def _group(self, text: str) -> str:
        return text.replace(",", _NNBSP) if self.lang == "fr" else text

    def integer(self, value: int | float) -> str:
        """``12 345`` / ``12,345``."""
        return self._group(f"{round(value):,}")

    def decimal(self, value: float | None, *, digits: int = 2) -> str:
        """``0,42`` / ``0.42``; a dash when undefined. Negative numbers use a true minus."""
        if value is None:
            return "—"
        text = self._group(f"{value:,.{digits}f}").replace("-", "−")
        return text.replace(".", ",") if self.lang == "fr" else text

    def percent(self, value: float | None, *, digits: int = 0) -> str:
        """``42 %`` / ``42%`` from a share in [0, 1]; a dash when undefined."""
        if value is None:
            return "—"
        number = self.decimal(100 * value, digits=digits)
        return f"{number}{_NNBSP}%" if self.lang == "fr" else f"{number}%"

    def amount(self, value: float) -> str:
        """Euros without cents: ``12 345 €`` / ``€12,345``."""
        number = self.integer(value)
        return f"{number}{_NNBSP}€" if self.lang == "fr" else f"€{number}"

    def compact_amount(self, value: float) -> str:
        """Millions as ``513 M€`` / ``€513M`` (one decimal under ten), for a headline figure
        that must fit a card; smaller amounts in full (:meth:`amount`)."""
        if abs(value) < 1_000_000:
            return self.amount(value)
        millions = value / 1_000_000
        number = self.decimal(millions, digits=1 if abs(millions) < 10 else 0)
        return f"{number}{_NNBSP}M€" if self.lang == "fr" else f"€{number}M"


def formats(lang: str) -> Formats:
    """The :class:`Formats` of ``lang``."""
    return Formats(lang)
