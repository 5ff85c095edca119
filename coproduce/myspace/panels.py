"""My space panels for panels (filled in by that topic's work)."""
