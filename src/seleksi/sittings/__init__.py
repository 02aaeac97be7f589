"""Seventh stage: computer-assisted tests run by Seleksi itself. Question banks per test
blueprint, and (to come) each participant's drawn sitting, its answers and its scores, which
are stored as the stage's scores for the ranking. May import scoring, exams and every earlier
stage, the ground and `seleksi.rules`.
"""
