"""Settings for the Lived Experience Platform: base, dev, production and test."""
