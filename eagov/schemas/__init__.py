"""Input and output schemas (non-table models): the one validation path for forms and JSON."""
