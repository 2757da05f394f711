"""spaCy components of kg, registered as factories through the ``spacy_factories`` entry point.

Each component only annotates the Doc; :mod:`kg.assemble` turns the annotations into records.
"""
