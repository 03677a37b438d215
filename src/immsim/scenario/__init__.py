"""Scenarios as data: the file format, its validation, and compilation to arrays."""
