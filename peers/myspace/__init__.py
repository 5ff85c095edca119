"""Peer work's panels on My space, one module per topic, registered by import from
``peers.wagtail_hooks``."""
