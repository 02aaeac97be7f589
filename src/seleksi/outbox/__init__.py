"""Ground, beside audit: stored e-mails, encrypted until sent, delivered by the task worker
with retries (`email_queue`). Imports `seleksi.core` and `seleksi.rules` (agencies if it ever
needs them); not audit or reference.
"""
