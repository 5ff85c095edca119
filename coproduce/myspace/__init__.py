"""My space panels of co-production, one module per topic."""
