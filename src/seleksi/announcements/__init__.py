"""Eighth and last stage: result announcements (pengumuman hasil). A committee publishes a
stage's stored, confirmed result (an administrative publication, a confirmed ranking run, the
confirmed replacements of a run) as a numbered announcement whose result table is copied into
rows when it is published, so the public pages, prints and downloads read one table and never
change afterwards. May import every earlier stage, the ground and `seleksi.rules`.
"""
