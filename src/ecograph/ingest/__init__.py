"""Turning outside data into ecograph's RDF.

- ``territories``: the French geography (régions, départements, EPCI, communes).
- ``importer.import_file``: one file → one source graph with provenance, all or nothing —
  spreadsheets (``tabular``), SCDL subsidies (``scdl``), SIRENE/ESS lists (``sirene``) and RDF
  (``rdf``), read by ``readers`` and ``values``, matched to actors in the store by ``merge``.
- The tabular converters share ``row_fields`` (one row's cells, read and checked),
  ``synonyms`` (the words people write, such as "asso", mapped to SKOS concepts) and
  ``conversion`` (what a converter makes of a file: actor drafts, lines, refused rows).

See docs/decisions/0002-imports.md.
"""
