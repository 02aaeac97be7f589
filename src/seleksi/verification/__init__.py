"""Fourth stage: the administrative selection. Claims, checklists, the second check,
publication, objections (masa sanggah) and their answers, the applicant's timeline. May import
applications, selections, accounts, the ground and `seleksi.rules`; never scoring.
"""
