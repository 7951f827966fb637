"""Referrals (转办转介) to departments, village/residents' committees and charities."""
