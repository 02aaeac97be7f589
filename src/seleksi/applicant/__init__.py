"""Pages of the person who applies: the account under `/akun/` (registration, sign-in,
recovery, profile, their data), the openings they qualify for (`/seleksi/<code>/melamar/`),
the application (`/lamaran/<number>/`: documents, statements, submission, administrative
result, objection), the documents (`/dokumen/<id>/`) and the printed resume and account card.

Owns views, forms, page-only wording (eligibility reasons, file problems), the PDF cards and
their templates; no models. May import the stages, the ground and `seleksi.rules`, and the
other audiences' page modules (public, committee); no domain module imports it.
"""
