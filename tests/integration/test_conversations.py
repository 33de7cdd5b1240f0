"""Being written."""
raise SystemExit(77)
