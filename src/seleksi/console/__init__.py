"""Pages, top layer: the staff console at `/kelola/`, Django's admin. It owns the model admins
of every app (registered from `console.admin`, one module per app), the agency scoping of what
staff see and change, the audit of console changes, the read-only views of rows that only
services write, the formation import and export pages, and the throttled console sign-in.
May import every stage, the ground and `seleksi.rules`; no stage or ground app imports it.
"""
