"""Peer workers: recruitment, practice records, supervision, wellbeing and progression."""
