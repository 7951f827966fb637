"""The home page, health check, manifest and language switch."""
