"""Eligibility policies as data, one JSON file per announcement; read them with
`seleksi.rules.eligibility.load_policy`."""
