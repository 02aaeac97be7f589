"""Sixth stage: test scores imported from a CAT, ranking runs, the committee's confirmation,
withdrawals and replacements. May import every earlier stage (exams, verification, applications,
selections, accounts), the ground and `seleksi.rules`.
"""
