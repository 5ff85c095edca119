"""My space panels for meetings (filled in by that topic's work)."""
