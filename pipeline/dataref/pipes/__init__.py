"""Pipes: the spaCy components (registered through the `spacy_factories` entry points) and the link scorer."""
