"""The committee's question bank (bank soal) of a selection, `/panitia/<code>/ujian/bank-soal/`:
upload a bank table (and a ZIP of its pictures) for a test blueprint, see how many questions
each component, topic and difficulty holds and whether every draw rule of the blueprint can
be filled, say which stage is sat on Seleksi with which blueprint; and, one page further,
read, correct and delete the questions themselves.

Only the agency's committee and administrators (MANAGE_TESTS) open these pages; everyone
else gets a 404. The bank page shows counts, never a question's text; the question list and
the question page do, so they are never cached, and a picture is served only through
`question_image`, checked like the pages."""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seleksi.agencies.permissions import Capability
from seleksi.applications.files import KB
from seleksi.applications.storage import display_name, keep_private
from seleksi.exams.models import STAGES
from seleksi.rules.cat import Blueprint, Component, ScoringStyle, blueprint_codes, load_blueprint
from seleksi.rules.question_files import (
    IMAGE_COLUMN,
    MAX_LABEL,
    MAX_TEXT,
    OPTION_KEYS,
    BankIssue,
    BankProblem,
    OptionDraft,
    bank_columns,
)
from seleksi.selections.models import Selection
from seleksi.selections.tables import MAX_FILE_BYTES, MEGABYTE, TableFileError
from seleksi.sittings import bank_selectors, selectors
from seleksi.sittings.messages import describe_problem
from seleksi.sittings.models import BankQuestion
from seleksi.sittings.question_images import (
    CONTENT_TYPES,
    MAX_IMAGE_BYTES,
    MAX_ZIP_BYTES,
    ImagesRefused,
)
from seleksi.sittings.services import (
    SittingsRefused,
    question_delete,
    question_update,
    questions_import,
    stage_test_clear,
    stage_test_set,
)

from .desks import selection_for

QUESTIONS_PER_PAGE = 50
STAGE_NAMES = dict(STAGES)
IMAGE_UPLOAD_GUARD = 2 * MAX_IMAGE_BYTES
"""Bytes of a picture upload read at most; the service refuses above MAX_IMAGE_BYTES with
the size in its message."""


def _too_large(upload: Any, limit: int) -> forms.ValidationError | None:
    if upload is not None and upload.size > limit:
        return forms.ValidationError(
            gettext_lazy("The file is larger than %(limit)d MB."),
            code="too_large",
            params={"limit": limit // MEGABYTE},
        )
    return None


class BankUploadForm(forms.Form):
    blueprint = forms.ChoiceField(label=gettext_lazy("Test blueprint"))
    file = forms.FileField(
        label=gettext_lazy("Question bank (.csv or .xlsx)"),
        help_text=gettext_lazy("One question per row. Nothing is saved if any row is wrong."),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )
    images = forms.FileField(label=gettext_lazy("Pictures (.zip, optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["blueprint"].choices = [  # type: ignore[attr-defined]
            (code, code) for code in blueprint_codes()
        ]
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"
        self.fields["images"].widget.attrs["accept"] = ".zip,application/zip"
        self.fields["images"].help_text = _(
            "Only when the column gambar names pictures: a ZIP holding them, PNG, JPEG or WebP, "
            "at most %(limit)d KB each."
        ) % {"limit": MAX_IMAGE_BYTES // KB}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        error = _too_large(upload, MAX_FILE_BYTES)
        if error is not None:
            raise error
        return upload

    def clean_images(self) -> Any:
        upload = self.cleaned_data.get("images")
        error = _too_large(upload, MAX_ZIP_BYTES)
        if error is not None:
            raise error
        return upload


def _blueprints_for(stage: str) -> list[Blueprint]:
    """The shipped blueprints a stage may be sat with: those made for it, or for any stage."""
    found = [load_blueprint(code) for code in blueprint_codes()]
    return [blueprint for blueprint in found if blueprint.stage in ("", stage)]


def _test_stages(selection: Selection) -> list[str]:
    """The stages the bank page offers: each stage some shipped blueprint is made for, and
    any stage already set (in the order of the exams' stages)."""
    made_for = {load_blueprint(code).stage for code in blueprint_codes()}
    made_for |= set(bank_selectors.stage_tests(selection=selection))
    return [stage for stage, _name in STAGES if stage in made_for]


class StageTestForm(forms.Form):
    stage = forms.ChoiceField(widget=forms.HiddenInput)
    blueprint = forms.ChoiceField(label=gettext_lazy("Sat with"), required=False)

    def __init__(self, *args: Any, stages: list[str], stage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(code, code) for code in stages]  # type: ignore[attr-defined]
        chosen = stage or str(self.data.get("stage", ""))
        self.fields["blueprint"].choices = [  # type: ignore[attr-defined]
            ("", _("Not on Seleksi: scores from an outside CAT's file")),
            *((b.code, b.code) for b in _blueprints_for(chosen)),
        ]


def _banks(selection: Selection) -> list[dict[str, Any]]:
    banks = []
    for blueprint_code in blueprint_codes():
        blueprint = load_blueprint(blueprint_code)
        counts = selectors.bank_counts(selection=selection, blueprint=blueprint_code)
        banks.append(
            {
                "blueprint": blueprint,
                "columns": ", ".join(bank_columns(blueprint, with_image=True)),
                "counts": counts,
                "total": sum(row["questions"] for row in counts),
                "check": selectors.draw_check(selection=selection, blueprint=blueprint)
                if counts
                else None,
            }
        )
    return banks


def _stage_rows(selection: Selection) -> list[dict[str, Any]]:
    stages = _test_stages(selection)
    current = bank_selectors.stage_tests(selection=selection)
    started = bank_selectors.stages_started(selection=selection)
    rows = []
    for stage in stages:
        stage_test = current.get(stage)
        initial = {"stage": stage, "blueprint": stage_test.blueprint if stage_test else ""}
        rows.append(
            {
                "stage": stage,
                "name": STAGE_NAMES.get(stage, stage),
                "current": stage_test,
                "started": stage in started,
                "form": StageTestForm(
                    initial=initial, stages=stages, stage=stage, auto_id=f"id_{stage}_%s"
                ),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def question_bank(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    form = BankUploadForm()
    problems: tuple[str, ...] = ()
    status = 200
    if request.method == "POST":
        form = BankUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            images = form.cleaned_data.get("images")
            try:
                outcome = questions_import(
                    selection=selection,
                    actor=request.user,
                    blueprint_code=form.cleaned_data["blueprint"],
                    filename=upload.name,
                    content=upload.read(),
                    images=images.read() if images is not None else None,
                )
            except ImagesRefused as error:
                form.add_error("images", error.message)
            except (TableFileError, SittingsRefused) as error:
                form.add_error("file", error.message)
            else:
                if outcome.ok:
                    messages.success(
                        request,
                        _("%(count)d questions were added to the bank.") % {"count": outcome.saved},
                    )
                    return redirect(reverse("committee:question_bank", args=[selection.code]))
                problems = outcome.problems
    return render(
        request,
        "sittings/question_bank.html",
        {
            "selection": selection,
            "form": form,
            "problems": problems,
            "banks": _banks(selection),
            "stages": _stage_rows(selection),
        },
        status=status,
    )


@login_required
@require_POST
def stage_test(request: HttpRequest, code: str) -> HttpResponse:
    """Set (or clear) the blueprint a stage is sat with, from the bank page's stage forms."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    form = StageTestForm(request.POST, stages=_test_stages(selection))
    back = reverse("committee:question_bank", args=[selection.code]) + "#stage-tests"
    if not form.is_valid():
        messages.error(request, _("Choose one of the blueprints offered for that stage."))
        return redirect(back)
    stage, blueprint = form.cleaned_data["stage"], form.cleaned_data["blueprint"]
    name = STAGE_NAMES.get(stage, stage)
    try:
        if blueprint:
            stage_test_set(
                selection=selection, actor=request.user, stage=stage, blueprint_code=blueprint
            )
            messages.success(
                request,
                _("%(stage)s is sat on Seleksi with %(blueprint)s.")
                % {"stage": name, "blueprint": blueprint},
            )
        elif stage_test_clear(selection=selection, actor=request.user, stage=stage):
            messages.success(
                request,
                _("%(stage)s takes its scores from an outside CAT's file.") % {"stage": name},
            )
    except SittingsRefused as error:
        messages.error(request, error.message)
    return redirect(back)


# --- the questions ---------------------------------------------------------------------------


def _blueprint_or_404(code: str) -> Blueprint:
    if code not in blueprint_codes():
        raise Http404("no such blueprint")
    return load_blueprint(code)


class QuestionFilterForm(forms.Form):
    component = forms.ChoiceField(label=gettext_lazy("Component"), required=False)
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)
    difficulty = forms.ChoiceField(label=gettext_lazy("Difficulty"), required=False)

    def __init__(self, *args: Any, blueprint: Blueprint, counts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = ("", _("All"))
        self.fields["component"].choices = [  # type: ignore[attr-defined]
            every,
            *((c.code, c.name) for c in blueprint.components),
        ]
        for field in ("topic", "difficulty"):
            values = sorted({row[field] for row in counts if row[field]})
            self.fields[field].choices = [every, *((v, v) for v in values)]  # type: ignore[attr-defined]


def points_summary(component: Component | None, options: list[dict[str, Any]]) -> str:
    """The points of a question at a glance: the key of a right/wrong question, each
    option's points of a graded one."""
    if component is not None and component.style is ScoringStyle.RIGHT_WRONG:
        keys = [o["key"] for o in options if o["points"] == component.right_points]
        return _("key %(keys)s") % {"keys": ", ".join(k.upper() for k in keys) or "–"}
    return " · ".join(f"{o['key'].upper()} {o['points']}" for o in options)


def _component(blueprint: Blueprint, code: str) -> Component | None:
    try:
        return blueprint.component(code)
    except LookupError:
        return None


@never_cache
@login_required
@require_GET
def bank_questions(request: HttpRequest, code: str, blueprint: str) -> HttpResponse:
    """The bank's questions for one blueprint, a page at a time, narrowed by component,
    topic and difficulty."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    plan = _blueprint_or_404(blueprint)
    counts = selectors.bank_counts(selection=selection, blueprint=plan.code)
    filters = QuestionFilterForm(request.GET, blueprint=plan, counts=counts)
    chosen = {
        name: (filters.cleaned_data.get(name) or "") if filters.is_valid() else ""
        for name in ("component", "topic", "difficulty")
    }
    questions = bank_selectors.bank_question_list(
        selection=selection, blueprint=plan.code, **chosen
    )
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    drawn = (
        bank_selectors.drawn_question_ids(selection=selection, blueprint=plan.code)
        if page.object_list
        else set()
    )
    rows = [
        {
            "question": question,
            "points": points_summary(_component(plan, question.component), question.options),
            "drawn": question.pk in drawn,
        }
        for question in page.object_list
    ]
    return render(
        request,
        "sittings/bank_questions.html",
        {
            "selection": selection,
            "blueprint": plan,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": urlencode({k: v for k, v in chosen.items() if v}),
        },
    )


def _question_or_404(selection: Selection, question: int) -> BankQuestion:
    found = bank_selectors.bank_question_get(selection=selection, question=question)
    if found is None:
        raise Http404("no such question")
    return found


class QuestionForm(forms.Form):
    """A question as the console edits it; the options follow its component's count."""

    text = forms.CharField(
        label=gettext_lazy("Question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=MAX_LABEL)
    difficulty = forms.CharField(
        label=gettext_lazy("Difficulty"), required=False, max_length=MAX_LABEL
    )
    image = forms.FileField(required=False)
    image_remove = forms.BooleanField(label=gettext_lazy("Remove the picture"), required=False)

    def __init__(self, *args: Any, component: Component, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = OPTION_KEYS[: component.options]
        for key in self.keys:
            self.fields[f"option_{key}"] = forms.CharField(
                label=_("Option %(key)s") % {"key": key},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=MAX_TEXT,
            )
            self.fields[f"points_{key}"] = forms.IntegerField(
                label=_("Points of option %(key)s") % {"key": key},
                min_value=0,
                max_value=999,
            )
        self.fields["image"].label = _("New picture (PNG, JPEG or WebP, at most %(limit)d KB)") % {
            "limit": MAX_IMAGE_BYTES // KB
        }
        self.fields["image"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
        self.order_fields(
            [
                "text",
                "topic",
                "difficulty",
                *(f"{kind}_{key}" for key in self.keys for kind in ("option", "points")),
            ]
        )

    @classmethod
    def initial_of(cls, question: BankQuestion) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "text": question.text,
            "topic": question.topic,
            "difficulty": question.difficulty,
        }
        for option in question.options:
            initial[f"option_{option['key']}"] = option["text"]
            initial[f"points_{option['key']}"] = option["points"]
        return initial

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        error = _too_large(upload, IMAGE_UPLOAD_GUARD)
        if error is not None:
            raise error
        return upload

    def options(self) -> list[OptionDraft]:
        return [
            OptionDraft(key, self.cleaned_data[f"option_{key}"], self.cleaned_data[f"points_{key}"])
            for key in self.keys
        ]

    def show_problem(self, problem: BankProblem) -> None:
        """A problem the service found, next to the field it is about."""
        self.add_error(_problem_field(problem), describe_problem(problem))


_COLUMN_FIELDS = {"soal": "text", "topik": "topic", "tingkat": "difficulty", IMAGE_COLUMN: "image"}
_POINT_PROBLEMS = {"wrong_points", "out_of_range"}


def _problem_field(problem: BankProblem) -> str | None:
    column = problem.column
    if column in _COLUMN_FIELDS:
        return _COLUMN_FIELDS[column]
    if column.startswith("opsi_"):
        return "option_" + column.removeprefix("opsi_")
    if column.startswith("nilai_"):
        return "points_" + column.removeprefix("nilai_")
    values = problem.values
    if problem.issue is BankIssue.QUESTION and "option" in values:
        kind = "points" if str(values["problem"]) in _POINT_PROBLEMS else "option"
        return f"{kind}_{values['option']}"
    return None


def _question_context(selection: Selection, question: BankQuestion) -> dict[str, Any]:
    blueprint = load_blueprint(question.blueprint)
    component = _component(blueprint, question.component)
    return {
        "selection": selection,
        "question": question,
        "blueprint": blueprint,
        "component": component,
        "points": points_summary(component, question.options),
        "drawn": bank_selectors.question_drawn(question=question),
        "list_url": reverse("committee:bank_questions", args=[selection.code, blueprint.code])
        + f"?component={question.component}",
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def bank_question(request: HttpRequest, code: str, question: int) -> HttpResponse:
    """One question: read it; correct it while no sitting has drawn it."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    found = _question_or_404(selection, question)
    context = _question_context(selection, found)
    component = context["component"]
    if component is None:
        raise Http404("the blueprint no longer has this component")
    form = QuestionForm(initial=QuestionForm.initial_of(found), component=component)
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST, request.FILES, component=component)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data.get("image")
            try:
                outcome = question_update(
                    question=found,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    topic=form.cleaned_data["topic"],
                    difficulty=form.cleaned_data["difficulty"],
                    options=form.options(),
                    image=upload.read() if upload is not None else None,
                    image_name=display_name(upload.name, "gambar") if upload is not None else "",
                    image_remove=form.cleaned_data["image_remove"],
                )
            except SittingsRefused as error:
                form.add_error(None, error.message)
                context["drawn"] = error.code == "question_drawn" or context["drawn"]
            else:
                for problem in outcome.problems:
                    form.show_problem(problem)
                if outcome.ok:
                    if outcome.changed:
                        messages.success(request, _("The question was saved."))
                    else:
                        messages.info(request, _("Nothing was changed."))
                    return redirect(
                        reverse("committee:bank_question", args=[selection.code, found.pk])
                    )
    context["form"] = form
    return render(request, "sittings/bank_question.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def bank_question_delete(request: HttpRequest, code: str, question: int) -> HttpResponse:
    """Ask, then delete a question no sitting has drawn."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    found = _question_or_404(selection, question)
    context = _question_context(selection, found)
    status = 200
    if request.method == "POST":
        try:
            question_delete(question=found, actor=request.user)
        except SittingsRefused as error:
            context["refusal"] = error.message
            context["drawn"] = True if error.code == "question_drawn" else context["drawn"]
            status = 400
        else:
            messages.success(request, _("The question was deleted."))
            return redirect(context["list_url"])
    return render(request, "sittings/bank_question_delete.html", context, status=status)


@login_required
@require_GET
def question_image(request: HttpRequest, code: str, question: int) -> FileResponse:
    """A question's picture, for the agency's committee only."""
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    found = _question_or_404(selection, question)
    name = found.image.name or ""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in CONTENT_TYPES:
        raise Http404("no picture")
    try:
        stored = found.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("no picture") from error
    return keep_private(
        FileResponse(stored, content_type=CONTENT_TYPES[extension]),
        disposition=f'inline; filename="soal-{found.pk}{extension}"',
    )
