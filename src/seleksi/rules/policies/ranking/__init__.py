"""Ranking policies as data, one JSON file per regulation; read them with
`seleksi.rules.ranking.load_ranking_policy`."""
