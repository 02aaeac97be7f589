"""Honorarium cap tables as data, one JSON file per office and year; read them with
`seleksi.rules.honorarium.load_cap_table`."""
