"""Wagtail admin for panels."""
