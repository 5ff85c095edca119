"""Peer work in the Wagtail admin, for HR: worker records and teams, recruitment, and
activity numbers. Case records (sessions, safeguarding, supervision, wellbeing) are never
here."""
