"""Front-end forms of co-production, one module per topic."""
