"""Seleksi: an open platform for running a public recruitment from announcement to result."""

__version__ = "0.1.0"
