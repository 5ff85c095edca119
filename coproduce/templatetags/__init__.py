"""Template tags of co-production."""
