"""My space panels for claims (filled in by that topic's work)."""
