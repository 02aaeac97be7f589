"""Ground, beside audit: provinces, regencies and education levels loaded from data files,
with the form fields that choose them. Imports `seleksi.core` and `seleksi.rules` (agencies if
it ever needs them); not audit or outbox.
"""
