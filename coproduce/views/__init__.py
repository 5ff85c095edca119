"""Front-end views of co-production, one module per topic."""
