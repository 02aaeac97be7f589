"""Top stage: the mitra pool of a statistics office (mitra statistik). The passed mitra of a
confirmed mitra ranking run, and mitra carried over from an earlier year, form the office's
pool for a year; the office defines survey activities (kegiatan survei) with their roles, areas
and honorarium, assigns pool members to them within the honorarium cap table of the year,
records what each assignment earned per month, and rates the enumerators' work when an
activity ends. May import every earlier stage, the ground and `seleksi.rules`.
"""
