"""Pages anyone may open, without an account: the published selections (`/`,
`/seleksi/<code>/`), their openings and the openings as CSV or XLSX, the published
administrative results and replacements, the check of a printed card (`/verifikasi/<token>`)
and the regency lookup of the forms (`/referensi/`).

Owns views, forms and templates only; no models. May import the stages, the ground and
`seleksi.rules`, and the other audiences' page modules (applicant, committee); no domain
module imports it.
"""
