"""The opening-day mix for locust: people reading the public pages, registering, signing in,
applying, uploading documents, booking a test seat and saving answers in a computer-assisted
test, each a user class with a weight.

Decisions worth knowing:

- Everything the users need comes from the prepare step (bench/load/prepare.py), read from
  the JSON file named by LOAD_PREPARED: registry identities, accounts, signed-in sessions,
  draft applications, Magetan applicants to book, started sittings, the files to upload.
  Nothing is made in the database during the measured window but by the requests.
- Users behave like a browser: they keep cookies, read the CSRF token and every hidden field
  (the sign-in and registration challenge) from the form they post, and follow a POST's
  redirect with the page it names. A POST's answer is checked (the redirect it should give,
  the "saved" it should say); anything else counts as a failure.
- Every request carries a name of the form "<kind>: <what>" so the table can group them.
- Things used once (an identity, an account that applies, a Magetan applicant who books)
  are dealt out in turn; with several locust processes (LOAD_PROCESSES) each takes its own
  share, and the runs sharing one prepared file each their part (LOAD_PART of LOAD_PARTS).
  A user whose share ran out says so once, in its failure "pool used up", and idles or keeps
  doing the repeatable part of its journey.
- bench/load/run.py names the classes of each run: the mix, or one class alone (the public
  pages, registration, uploads, and the bounds: a static file and /healthz).
- Users wait LOAD_WAIT seconds between tasks (default 0: every user sends its next request
  as soon as the last one is answered, so the run measures the most the portal gives at this
  many users).

    LOAD_PREPARED=prepared.json locust -f bench/load/locustfile.py \
        --host https://127.0.0.1:8088 PublicReader Registrant ...
"""

import html
import itertools
import json
import os
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

PREPARED: dict[str, Any] = {}
POOLS: dict[str, Iterator[Any]] = {}
FILTERS = (
    "?jenis_pengadaan=CPNS",
    "?kategori_jabatan=guru",
    "?jenis_pengadaan=PPPK&kategori_jabatan=guru",
    "?q=analis",
    "?kategori_jabatan=teknis&page=2",
)
NEW_PASSWORD = "Beban-Uji-2026-Rahasia"  # noqa: S105 - the password registrants choose


def prepared() -> dict[str, Any]:
    if not PREPARED:
        path = os.environ.get("LOAD_PREPARED", "")
        if not path:
            raise SystemExit("LOAD_PREPARED names no file: run bench/load/prepare.py first")
        PREPARED.update(json.loads(Path(path).read_text(encoding="utf-8")))
    return PREPARED


@events.init.add_listener
def _read_prepared(environment: Environment, **_kwargs: Any) -> None:
    prepared()


def dealt(environment: Environment, kind: str) -> Any | None:
    """The next unused item of `kind` from this process's share of this run's part (LOAD_PART
    of LOAD_PARTS: the runs that share one prepared file each use their own); None once it
    ran out."""
    if kind not in POOLS:
        parts = max(1, int(os.environ.get("LOAD_PARTS", "1")))
        part = int(os.environ.get("LOAD_PART", "0")) % parts
        processes = max(1, int(os.environ.get("LOAD_PROCESSES", "1")))
        index = getattr(environment.runner, "worker_index", 0) % processes
        POOLS[kind] = iter(prepared()[kind][part::parts][index::processes])
    return next(POOLS[kind], None)


# --- forms like a browser ----------------------------------------------------------------


class FormReader(HTMLParser):
    """The fields a browser would send with each form of a page, as first drawn: hidden and
    text values, checked boxes, each select's selected (or first) option."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str], dict[str, list[str]]]] = []
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((given.get("action", ""), {}, {}))
            return
        if not self.forms:
            return
        _action, fields, choices = self.forms[-1]
        name = given.get("name")
        if tag == "input" and name:
            kind = given.get("type", "text")
            if kind in {"checkbox", "radio"}:
                choices.setdefault(name, []).append(given.get("value", "on"))
                if "checked" in given:
                    fields[name] = given.get("value", "on")
            elif kind not in {"submit", "button", "file"}:
                fields.setdefault(name, given.get("value", ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            choices.setdefault(self.select, []).append(given.get("value", ""))
            if "selected" in given or self.select not in fields:
                fields[self.select] = given.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def form_fields(page: str, action: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The fields of the first form that posts to `action` (the page's own path: a form
    without an action posts there), and the choices of its boxes and selects; empty when the
    page has no such form."""
    reader = FormReader()
    reader.feed(page)
    for form_action, fields, choices in reader.forms:
        if (html.unescape(form_action) or action).split("?")[0] == action:
            return dict(fields), choices
    return {}, {}


def csrf_of(page: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = page.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return page[start : page.find('"', start)]


class Visitor(FastHttpUser):
    """A browser with cookies; the shared helpers of every user class."""

    abstract = True
    insecure = True  # the local profile's certificate is self-signed
    wait_time = constant(float(os.environ.get("LOAD_WAIT", "0")))

    def signed_in_as(self, session_key: str) -> None:
        """Take over a session the prepare step signed in, as a browser that signed in
        earlier would."""
        from requests.cookies import create_cookie

        self.client.cookiejar.clear()
        host = self.host.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
        self.client.cookiejar.set_cookie(
            create_cookie(prepared()["session_cookie"], session_key, domain=host, path="/")
        )

    def page(self, path: str, name: str, expect: str = "") -> str:
        """GET a page; a failure unless it answers 200 (with `expect` in it, when given)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            text = response.text or ""
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif expect and expect not in text:
                response.failure(f"no {expect!r}")
            return text

    def post_form(
        self, path: str, fields: dict[str, str], name: str, redirect_to: str = ""
    ) -> tuple[int, str]:
        """POST a form; a failure unless it redirects (to a path containing `redirect_to`).
        Returns the status and the redirect's target."""
        with self.client.post(
            path,
            data=fields,
            name=name,
            allow_redirects=False,
            headers={"Referer": self.host + path},
            catch_response=True,
        ) as response:
            target = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302:
                response.failure(f"status {response.status_code}, no redirect")
            elif redirect_to and redirect_to not in target:
                response.failure(f"redirected to {target}")
            return response.status_code, target

    def no_form(self, name: str) -> None:
        """The page answered but without the form to post: an error of that page."""
        self.environment.events.request.fire(
            request_type="FORM",
            name=name,
            response_time=0,
            response_length=0,
            exception=RuntimeError("the page has no form to post"),
            context={},
        )
        gevent.sleep(1.0)

    def used_up(self, kind: str) -> None:
        """Say once that this user's share of `kind` ran out; the caller's task then idles a
        second instead of spinning."""
        gevent.sleep(1.0)
        if getattr(self, "_told", None) != kind:
            self._told = kind
            self.environment.events.request.fire(
                request_type="POOL",
                name=f"pool used up: {kind}",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"every prepared {kind} is used"),
                context={},
            )


# --- the public -----------------------------------------------------------------------------


CACHE_STATUS: Counter[str] = Counter()


@events.quitting.add_listener
def _write_cache_status(environment: Environment, **_kwargs: Any) -> None:
    """How the public pages were served (nginx's X-Cache-Status: HIT, MISS, BYPASS...), for
    the table: LOAD_CACHE_FILE, one file per locust process."""
    target = os.environ.get("LOAD_CACHE_FILE")
    if target and CACHE_STATUS:
        Path(f"{target}.{os.getpid()}").write_text(json.dumps(CACHE_STATUS), encoding="utf-8")


class PublicReader(Visitor):
    """Someone reading the public pages: the home page, a selection, its openings with a
    filter, its announcements. Counts how nginx served them (X-Cache-Status)."""

    weight = 50

    def page(self, path: str, name: str, expect: str = "") -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            CACHE_STATUS[(response.headers or {}).get("X-Cache-Status") or "none"] += 1
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            return response.text or ""

    @task(4)
    def home(self) -> None:
        self.page("/", "public: home")

    @task(3)
    def selection(self) -> None:
        code = random.choice(prepared()["public"]["selections"])
        self.page(f"/seleksi/{code}/", "public: selection")

    @task(3)
    def openings(self) -> None:
        code = prepared()["public"]["selections"][0]
        self.page(f"/seleksi/{code}/formasi/{random.choice(FILTERS)}", "public: openings filtered")

    @task(2)
    def announcement(self) -> None:
        published = prepared()["public"]["announcements"]
        if published:
            code, pk = random.choice(published)
            self.page(f"/seleksi/{code}/pengumuman/{pk}/", "public: result announcement")
        else:
            code = random.choice(prepared()["public"]["selections"])
            self.page(f"/seleksi/{code}/pengumuman/", "public: announcements")


class CachedReader(Visitor):
    """The public pages nginx keeps (the home page, a selection, its announcements), read
    alone: the goal for cached public pages. The openings list with a filter is left out:
    the app keeps it in its own cache, nginx does not."""

    weight = 1
    page = PublicReader.page
    home = PublicReader.home
    selection = PublicReader.selection
    announcement = PublicReader.announcement


# --- accounts -------------------------------------------------------------------------------


class Registrant(Visitor):
    """A new applicant registering with an identity the population registry knows."""

    weight = 8

    @task
    def register(self) -> None:
        person = dealt(self.environment, "registrations")
        if person is None:
            self.used_up("registrations")
            self.page("/akun/daftar/", "register: form")
            return
        self.client.cookiejar.clear()
        path = "/akun/daftar/"
        fields, _choices = form_fields(self.page(path, "register: form"), path)
        if not fields:
            self.no_form("register: submit")
            return
        fields.update(
            full_name=person["full_name"],
            birth_date=person["birth_date"],
            sex=person["sex"],
            nik=person["nik"],
            kk=person["kk"],
            email=f"{person['nik']}.{uuid.uuid4().hex[:6]}@beban.seleksi.invalid",
            phone=f"0813{person['nik'][-8:]}",
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
            answer_1="jawaban satu",
            answer_2="jawaban dua",
            consent="on",
        )
        fields.pop("mitra_only", None)
        self.post_form(path, fields, "register: submit", "/akun/daftar/selesai/")


class SigningIn(Visitor):
    """An applicant with an account signing in and landing on their dashboard."""

    weight = 10

    def on_start(self) -> None:
        self.accounts = itertools.cycle(prepared()["sign_ins"] or [""])

    @task
    def sign_in(self) -> None:
        email = next(self.accounts)
        if not email:
            self.used_up("sign_ins")
            return
        self.client.cookiejar.clear()
        path = "/akun/masuk/"
        fields, _choices = form_fields(self.page(path, "sign-in: form"), path)
        if not fields:
            self.no_form("sign-in: submit")
            return
        fields.update(identifier=email, password=prepared()["password"])
        status, target = self.post_form(path, fields, "sign-in: submit", "/dasbor/")
        if status == 302 and target:
            self.page("/dasbor/", "sign-in: dashboard")


# --- applying and uploading -----------------------------------------------------------------


class Applying(Visitor):
    """A signed-in applicant choosing an opening and applying to it, once."""

    weight = 4

    @task
    def apply(self) -> None:
        applier = dealt(self.environment, "appliers")
        code = prepared()["apply_selection"]
        if applier is None:
            self.used_up("appliers")
            self.page(f"/seleksi/{code}/formasi/", "public: openings filtered")
            return
        self.signed_in_as(applier["session"])
        self.page(f"/seleksi/{code}/melamar/?kategori_jabatan=teknis", "apply: openings for me")
        path = f"/seleksi/{code}/melamar/{applier['formation']}/"
        fields, choices = form_fields(self.page(path, "apply: form"), path)
        if not fields:
            self.no_form("apply: submit")
            return
        for name, values in choices.items():
            if name not in fields and values:
                fields[name] = values[0]  # every statement box ticked, the first of a choice
        status, target = self.post_form(path, fields, "apply: submit", "/lamaran/")
        if status == 302 and target:
            self.page(target, "apply: application page")


class Uploading(Visitor):
    """An applicant with a draft application uploading documents (and uploading them again,
    as people replace a blurred scan), then seeing the page the upload returns to."""

    weight = 12

    def on_start(self) -> None:
        self.draft = dealt(self.environment, "uploaders")
        if self.draft is None:
            return
        self.signed_in_as(self.draft["session"])
        detail = self.page(f"/lamaran/{self.draft['number']}/", "upload: application page")
        token = csrf_of(detail)
        self.bodies = []
        for slot, file_path in prepared()["upload_files"].items():
            boundary = uuid.uuid4().hex
            content = Path(file_path).read_bytes()
            kind = "image/jpeg" if file_path.endswith(".jpg") else "application/pdf"
            body = b"".join(
                (
                    f"--{boundary}\r\nContent-Disposition: form-data; "
                    f'name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode(),
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    f'filename="{Path(file_path).name}"\r\nContent-Type: {kind}\r\n\r\n'.encode(),
                    content,
                    f"\r\n--{boundary}--\r\n".encode(),
                )
            )
            self.bodies.append((slot, boundary, body))

    @task
    def upload(self) -> None:
        if self.draft is None:
            self.used_up("uploaders")
            return
        number = self.draft["number"]
        slot, boundary, body = random.choice(self.bodies)
        path = f"/lamaran/{number}/dokumen/{slot}/"
        with self.client.post(
            path,
            data=body,
            name="upload: file",
            allow_redirects=False,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": f"{self.host}/lamaran/{number}/",
            },
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return
            detail = self.page(f"/lamaran/{number}/", "upload: application page")
            if 'class="alert alert-success" role="status"' not in detail:
                response.failure("not saved")


# --- the test stage ------------------------------------------------------------------------


class Booking(Visitor):
    """A Magetan applicant with a final MS choosing a test session and confirming it, once;
    then watching the seats left, as the page does."""

    weight = 4

    @task
    def book(self) -> None:
        booker = dealt(self.environment, "bookers")
        if booker is None:
            self.used_up("bookers")
            return
        stage = prepared()["mitra_stage"]
        self.signed_in_as(booker["session"])
        path = f"/lamaran/{booker['number']}/ujian/{stage}/"
        with self.client.get(path, name="booking: page", catch_response=True) as response:
            fields, choices = form_fields(response.text or "", path)
            sessions = choices.get("session", [])
            if response.status_code != 200 or not sessions:
                response.failure(f"status {response.status_code}, no session to choose")
                return
        fields["session"] = random.choice(sessions)
        with self.client.post(
            path,
            data=fields,
            name="booking: choose",
            headers={"Referer": self.host + path},
            catch_response=True,
        ) as response:
            confirm, _choices = form_fields(response.text or "", path)
            if response.status_code != 200 or confirm.get("confirmed") != "1":
                response.failure(f"status {response.status_code}, no confirmation")
                return
        self.post_form(path, confirm, "booking: confirm", path)
        query = "&".join(f"s={s}" for s in sessions)
        self.page(f"{path}kursi/?{query}", "booking: seats left")


class Answering(Visitor):
    """A checked-in participant in a computer-assisted test, saving one answer at a time as
    the test page's script does."""

    weight = 4

    def on_start(self) -> None:
        self.participant = dealt(self.environment, "sitters")
        if self.participant is None:
            return
        stage = prepared()["mitra_stage"]
        self.base = f"/lamaran/{self.participant['number']}/ujian/{stage}/cat/"
        self.signed_in_as(self.participant["session"])
        test = self.page(self.base + "soal/", "answers: test page", "data-csrf=")
        marker = 'data-csrf="'
        start = test.find(marker) + len(marker)
        self.token = test[start : test.find('"', start)]
        self.sequence = 0

    @task
    def answer(self) -> None:
        if self.participant is None:
            self.used_up("sitters")
            return
        questions = self.participant["questions"]
        self.sequence += 1
        question, options = questions[self.sequence % len(questions)]
        body = json.dumps(
            {
                "answers": [
                    {"q": question, "o": random.choice(options), "m": False, "s": self.sequence}
                ]
            }
        )
        with self.client.post(
            self.base + "jawab/",
            data=body,
            name="answers: save",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.token,
                "Referer": self.host + self.base + "soal/",
            },
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            results = json.loads(response.text or "{}").get("results", [])
            if not results or results[0].get("r") not in {"saved", "stale"}:
                response.failure(f"not saved: {results[:1]}")


# --- bounds ---------------------------------------------------------------------------------


class StaticFile(Visitor):
    """The bound: nginx serving a static file, the least a request costs on this stack. (The
    bounds run alone: bench/load/run.py names the classes of each run.)"""

    @task
    def static(self) -> None:
        self.page(
            os.environ.get("LOAD_STATIC_FILE", "/static/seleksi/seleksi.css"), "bound: static"
        )


class Health(Visitor):
    """The bound: /healthz, a Django view with one query, through nginx and an app process."""

    @task
    def health(self) -> None:
        self.page("/healthz", "bound: healthz")
