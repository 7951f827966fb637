"""Households and their members (persons)."""
