"""Procedures: the working-day calendar, statutory deadlines, emergency (simplified) periods."""
