from django.core.management import call_command

from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Booking
from seleksi.rules.cat import draw, load_blueprint, score
from seleksi.selections.models import Selection
from seleksi.sittings.models import BankQuestion, StageTest
from seleksi.sittings.paper import paper_link
from seleksi.sittings.selectors import bank_questions, draw_check


def test_the_demo_banks_fill_both_blueprints_a_participant_can_start_and_a_rerun_adds_nothing(
    db: None,
) -> None:
    call_command("load_demo", verbosity=0)
    call_command("demo_test_stage", stdout=None)
    call_command("demo_cat", stdout=None)
    tests = {t.selection.code: (t.stage, t.blueprint) for t in StageTest.objects.all()}
    assert tests == {
        "aceh-tengah-casn-2021": ("skd", "skd-2021"),
        "bps-magetan-mitra-2024": ("mitra", "mitra-bps-2024"),
    }
    questions = BankQuestion.objects.count()
    for code, (_stage, blueprint_code) in tests.items():
        selection = Selection.objects.get(code=code)
        blueprint = load_blueprint(blueprint_code)
        assert draw_check(selection=selection, blueprint=blueprint).ready
        pool = bank_questions(selection=selection, blueprint=blueprint_code)
        drawn = draw(blueprint, pool, seed=7)
        bank = {q.id: q for q in pool}
        best = {
            d.question: max(bank[d.question].options, key=lambda o: o.points).key for d in drawn
        }
        assert score(blueprint, drawn, bank, best).total == blueprint.maximum
    call_command("demo_cat", stdout=None)
    assert BankQuestion.objects.count() == questions
    seat = Booking.objects.get(application__applicant__email="pelamar.mitra@demo.seleksi.invalid")
    assert (seat.stage, seat.attendance, seat.session.code) == ("mitra", "H", "tes-1-pagi")
    assert paper_link(booking=seat) == "start"
    assert AuditEvent.objects.filter(action="exams.checked_in").count() == 1
