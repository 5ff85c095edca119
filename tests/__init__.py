"""The test suite; tests/ mirrors the apps, plus browser journeys."""
