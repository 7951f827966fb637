"""Resumable, verified evidence uploads (tus 1.0) and the content-addressed media store."""
