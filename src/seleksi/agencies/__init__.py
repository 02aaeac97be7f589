"""Ground, above core: agencies (with their time zone), staff memberships and roles, what
each role may do (`user_can`, `agency_ids_with`), and the agency scoping of the console.
Imports `seleksi.core` and `seleksi.rules`. Its console pages (admin.py) also use the audit
mixin until they move to the console.
"""
