"""Pages of the selection committee and its verifiers under `/panitia/`: the verification
queue (assignment, publication of results), the review of one application, the answers to
objections, ranking runs (start, rows, confirmation, CSV) and withdrawals with their
replacements.

Owns views, page forms and templates; no models. May import the stages, the ground and
`seleksi.rules`, and the other audiences' page modules (public, applicant); no domain module
imports it.
"""
