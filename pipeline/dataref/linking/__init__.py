"""Linking: pure functions (markers, names, the linker's rules, word lists, identifiers), no spaCy components."""
