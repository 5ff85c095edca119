"""Wagtail admin for claims."""
