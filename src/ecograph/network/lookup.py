"""Finding one actor of a projected graph from what a person types.

People know an actor by its name ("Asso Cap Emploi – Nantes"), sometimes by the end of its
IRI (``sample-a0099``, ``siren/775672272``) or a CURIE (``data:actor/sample-a0099``), rarely
by the whole IRI. All four work; a name is matched without regard to case, accents,
punctuation or spacing. When nothing matches, the error names the closest actors, so the next
attempt succeeds.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable

import networkx as nx

from ecograph.name_keys import name_key


class ActorNotFound(LookupError):
    """No actor, or more than one, answers to the text; the message says what to type."""


def find_actor(graph: nx.Graph, text: str) -> Hashable:
    """The node of ``graph`` that ``text`` names: a full IRI, the IRI's ending after any ``/``
    or ``:`` (a short id or CURIE), or the actor's name."""
    wanted = text.strip()
    if wanted in graph:
        return wanted
    ending = wanted.split(":", 1)[1] if ":" in wanted and "://" not in wanted else wanted
    by_ending = [node for node in graph if str(node).endswith("/" + ending.lstrip("/"))]
    if len(by_ending) == 1:
        return by_ending[0]
    key = name_key(wanted)
    by_name = [node for node, name in graph.nodes(data="name") if name and name_key(name) == key]
    if len(by_name) == 1:
        return by_name[0]
    candidates = by_ending or by_name
    if candidates:
        listed = "; ".join(f"{graph.nodes[n].get('name') or n} ({n})" for n in candidates[:10])
        raise ActorNotFound(
            f"{len(candidates)} actors answer to {text!r}: {listed}. Give the IRI of the one "
            "you mean."
        )
    names = {name_key(name): name for _, name in graph.nodes(data="name") if name}
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    hint = (
        f"closest names: {'; '.join(names[c] for c in close)}. " if close else "no name is close. "
    )
    raise ActorNotFound(
        f"no actor answers to {text!r} in this scope; {hint}Actors are listed by "
        "`ecograph query actors-in-territory -p territory …` or `ecograph metrics -f csv`; "
        "give a name, the end of the IRI (e.g. sample-a0099) or the whole IRI."
    )
