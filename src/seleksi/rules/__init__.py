"""The regulations as plain Python: no Django, frozen data in and out.

Everything that decides something about an applicant or an opening lives here, so that it
can be read next to the regulation it implements and tested without a database. The bottom
layer: imports only the standard library; every other part of seleksi may import it.
"""
