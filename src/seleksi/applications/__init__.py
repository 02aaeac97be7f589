"""Third stage: applying to a formation, eligibility facts, uploads checked by their content.
May import selections, accounts, the ground and `seleksi.rules`; never a later stage
(verification, scoring) nor a page module. Its pages are the applicant's (`seleksi.applicant`).
"""
