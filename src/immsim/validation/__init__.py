"""Validation: closed-form queueing results, a peer simulator, and public figures."""
