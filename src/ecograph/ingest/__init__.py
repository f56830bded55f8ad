"""Turning outside data into ecograph's RDF: French territories (more formats come later)."""
