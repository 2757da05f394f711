"""Outputs of a build: JSON Lines files, Neo4j, RDF and HTML pages."""
