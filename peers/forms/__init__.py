"""Forms of peer work, split by topic."""
