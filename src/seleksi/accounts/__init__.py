"""First stage: users, registration, sign-in and its throttling, recovery, the profile and
education, and the population-registry adapter. May import the ground (core, agencies, audit,
outbox, reference) and `seleksi.rules`; never a later stage (selections, applications,
verification, scoring).
"""
