"""Second stage: selections with their schedule, requirements, document rules, contacts and
formations (the formation table, imported and exported). May import accounts, the ground and
`seleksi.rules`; never a later stage (applications, verification, scoring). Its console page
still shows verification's rejection reasons until it moves to the console.
"""
