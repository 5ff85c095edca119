"""Wagtail admin for meetings."""
