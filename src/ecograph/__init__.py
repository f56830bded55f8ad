"""ecograph: a knowledge graph of a social innovation ecosystem.

Actors, projects, domains, territories and partnerships as RDF, stored in an embedded
Oxigraph store (or any SPARQL 1.1 server), analysed with networkx and drawn with pyvis.
"""

__version__ = "0.1.0"
