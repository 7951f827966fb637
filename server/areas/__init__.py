"""The area tree (city → district → street/town → community/village) and jurisdiction scope."""
