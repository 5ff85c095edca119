"""The Lived Experience Charter: commitments, measures, targets and board reports."""
