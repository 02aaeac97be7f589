"""Ground, bottom: the shared helpers every app may use. Base templates and template tags,
language, the health check, the client's address behind trusted proxies, field encryption,
masked names and bulk inserts. Owns no rows. Of seleksi it imports only `seleksi.rules`, never
another app.
"""
