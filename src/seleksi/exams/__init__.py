"""Fifth stage: the test stage between the administrative result and the scores. Test sites
and rooms, sessions, booking windows, seats (booked by the applicant or assigned by the
committee), accommodations, exam cards, check-in and absence (TH). May import verification,
applications, selections, accounts, the ground and `seleksi.rules`; never scoring, which
reads attendance from here.
"""
