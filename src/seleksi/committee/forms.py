"""Forms of the committee's pages that are shared or large enough to stand apart from a view.

`ScoreUploadForm` takes a score file (NILAI.csv, a CAT export) of one test on the ranking
page. The form checks only what needs no reading of the file: a test the selection has and a
size within the allocation import's limit. Everything about the content (columns, numbers,
participants, encoding, emptiness) is judged by `seleksi.scoring.services.scores_import`, the
service behind `seleksi import-scores`, so the page and the command refuse the same files with
the same words.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from seleksi.scoring import selectors
from seleksi.scoring.models import RankingRun, Score
from seleksi.scoring.services import COLUMNS, OPTIONAL_COLUMNS
from seleksi.selections.models import Selection
from seleksi.selections.tables import MAX_FILE_BYTES, MEGABYTE

SCORE_FILE_MAX_BYTES = MAX_FILE_BYTES
"""The allocation import's limit: a score file of a national selection stays far below it."""

SCORED_STAGES: dict[str, tuple[str, ...]] = {
    RankingRun.Stage.SKD: (Score.Stage.SKD,),
    RankingRun.Stage.FINAL: (Score.Stage.SKB,),
    RankingRun.Stage.PPPK: (Score.Stage.PPPK,),
    RankingRun.Stage.MITRA: (Score.Stage.MITRA,),
}
"""The tests whose scores each ranking stage reads."""


def score_stages(selection: Selection) -> list[tuple[str, str]]:
    """The tests whose scores the selection's rankings read, with their labels."""
    labels = dict(Score.Stage.choices)
    stages: list[str] = []
    for ranking_stage, _label in selectors.rankable_stages(selection):
        stages += [s for s in SCORED_STAGES.get(ranking_stage, ()) if s not in stages]
    return [(stage, str(labels[stage])) for stage in stages]


def score_columns(stages: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Per test: its label, the columns the file must have and the optional ones."""
    return [
        (label, ", ".join(COLUMNS[stage]), ", ".join(OPTIONAL_COLUMNS.get(stage, ())))
        for stage, label in stages
    ]


class ScoreUploadForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Test"))
    file = forms.FileField(
        label=gettext_lazy("Score file (.csv)"),
        allow_empty_file=True,
        help_text=gettext_lazy(
            "UTF-8 CSV with a header line, one participant per row, decimals with a point. "
            "Nothing is saved if any row is wrong."
        ),
        error_messages={"required": gettext_lazy("Choose the score file to upload.")},
    )

    prefix = "scores"

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > SCORE_FILE_MAX_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(limit)d MB."),
                code="too_large",
                params={"limit": SCORE_FILE_MAX_BYTES // MEGABYTE},
            )
        return upload
