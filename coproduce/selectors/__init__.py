"""Reads of co-production that span relations or feed pages, one module per topic."""
