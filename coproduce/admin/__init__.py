"""Admin views of co-production, one module per topic, registered by wagtail_hooks."""
