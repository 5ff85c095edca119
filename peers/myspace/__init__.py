"""Peer work's panels on My space, one module per topic, registered in
``peers.wagtail_hooks``."""
