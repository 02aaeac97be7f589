"""Ground, above agencies: the append-only audit trail and `audit_record`, which records the
actor's role from agencies. Imports `seleksi.agencies`, `seleksi.core` and `seleksi.rules`;
not outbox or reference.
"""
