"""Co-production: involvement profiles, design panels, meetings, payments and feedback."""
