"""Second stage: selections with their schedule, requirements, document rules, contacts and
formations (the formation table, imported and exported). May import accounts, the ground and
`seleksi.rules`; never a later stage (applications, verification, scoring).
"""
