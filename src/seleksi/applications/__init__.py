"""Third stage: applying to a formation, eligibility facts, uploads checked by their content,
and application cards. May import selections, accounts, the ground and `seleksi.rules`;
never a later stage (verification, scoring). Its applicant page still shows verification's
objections and scoring's replacements until it moves to the applicant's pages.
"""
