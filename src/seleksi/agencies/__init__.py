"""Ground, above core: agencies (with their time zone), staff memberships and roles, what
each role may do (`user_can`, `agency_ids_with`), which the console's scoping asks.
Imports `seleksi.core` and `seleksi.rules`.
"""
