"""pexlogs."""
