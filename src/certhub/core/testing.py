"""Test helpers shared by every app's tests: reading what a person sees on a rendered page (its visible text,
an element by id, the rows of a table), the text a PDF draws, and signing in through the test client or a
real browser, and checking a page in the browser against WCAG 2.1 AA. The tests assert on what a person
reads, not on markup or status codes alone.

HTML is read with the standard library's parser (no HTML library is among the dependencies), PDF with pypdf,
accessibility with axe-core through axe-playwright-python, which carries axe-core's script inside the package
(both development dependencies: requirements/development.in)."""

from __future__ import annotations

import base64
import io
import re
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyotp
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from certhub.accounts.signin.policy import must_use_second_factor

# ------------------------------------------------------------------ HTML

# Elements that never have content or a closing tag (HTML Living Standard, "void elements").
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class Element:
    """An element of a parsed page: its tag, attributes and children (elements and text, in order)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self, *tags: str) -> Iterator[Element]:
        """This element and every element inside it, in document order (only those of `tags` if given)."""
        if not tags or self.tag in tags:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(*tags)

    def first(self, test: Callable[[Element], bool]) -> Element | None:
        return next((e for e in self.iter() if test(e)), None)

    def _pieces(self, out: list[str]) -> None:
        # Every tag separates words, as a browser lays out the blocks and cells the tests read.
        out.append(" ")
        for child in self.children:
            if isinstance(child, Element):
                child._pieces(out)
            else:
                out.append(child)
        out.append(" ")

    @property
    def raw_text(self) -> str:
        """The text as written (character references resolved), stripped only at both ends: for values whose
        spaces matter, such as a base45 seal string, whose alphabet includes the space."""
        return "".join(c.raw_text if isinstance(c, Element) else c for c in self.children).strip()

    @property
    def text(self) -> str:
        """The visible text, character references resolved and whitespace collapsed to single spaces."""
        out: list[str] = []
        self._pieces(out)
        return " ".join("".join(out).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element; a stray closing tag is ignored, as browsers do.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.stack[-1].children.append(" ")


def parse_html(markup: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


HtmlSource = HttpResponse | str | Element


def _root(source: HtmlSource) -> Element:
    if isinstance(source, Element):
        return source
    if isinstance(source, HttpResponse):
        source = source.content.decode()
    return parse_html(source)


def text_of(source: HtmlSource) -> str:
    """The visible text of a page, a fragment of markup or an element, whitespace collapsed."""
    return _root(source).text


def page_text(response: HttpResponse) -> str:
    return text_of(response)


def element(source: HtmlSource, element_id: str) -> Element:
    """The element with `id`; the test fails if there is none."""
    found = _root(source).first(lambda e: e.attrs.get("id") == element_id)
    assert found is not None, f"no element with id={element_id!r}"
    return found


def element_text(source: HtmlSource, element_id: str) -> str:
    return element(source, element_id).text


def by_class(source: HtmlSource, class_name: str) -> list[str]:
    """The texts of the elements carrying `class_name`, in document order."""
    return [e.text for e in _root(source).iter() if class_name in e.classes]


def table_rows(source: HtmlSource) -> list[list[str]]:
    """The body rows of every table, as lists of the texts of their <td> cells."""
    return [[cell.text for cell in row.iter("td")] for body in _root(source).iter("tbody") for row in body.iter("tr")]


def table_cells(source: HtmlSource, table_id: str) -> list[list[str]]:
    """Every row of the table with `id`, header rows included, as lists of the texts of its cells."""
    return [[cell.text for cell in row.iter("th", "td")] for row in element(source, table_id).iter("tr")]


# ------------------------------------------------------------------ PDF


def pdf_text(data: bytes) -> str:
    """The text a PDF draws, one line per text-showing operator (Tj, TJ, ' and "), decoded through each
    font's encoding or ToUnicode map (a subset font's glyph codes are not characters)."""
    shown: list[str] = []

    def visit(text: str, *_: Any) -> None:
        if text.strip():
            shown.append(text.strip())

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return "\n".join(shown)


# ------------------------------------------------------------------ signing in


def authenticator_of(user: Any) -> Any:
    """The user's authenticator app (a confirmed TOTP device), made for them when they have none: the
    world's office users sign in with a second factor like everyone (C14), as if they had enrolled."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(device: Any) -> str:
    """The code the authenticator app shows now, or the next step's when this one was used already (the
    server accepts one step either side but each step only once)."""
    totp = pyotp.TOTP(base64.b32encode(device.bin_key).decode())
    now = time.time()
    step = int(now // 30)
    device.refresh_from_db()
    return totp.at(now if device.last_t < step else (device.last_t + 1) * 30)


def sign_in_client(client: Any, user: Any) -> Any:
    """The Django test client signed in as `user` with the second factor passed (a session as the sign-in
    pages leave it: django-otp's verified device in the session)."""
    client.force_login(user)
    if must_use_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
        session.save()
    return client


def signed_in(client: Any, world: Any, username: str) -> Any:
    """The Django test client signed in as one of the world's users (all share `world.PASSWORD`)."""
    user = world.users.get(username) or get_user_model().objects.get(username=username)
    assert user.check_password(world.PASSWORD), f"{username} could not sign in"
    return sign_in_client(client, user)


def sign_in_with_pages(client: Any, username: str, password: str, **headers: Any) -> HttpResponse:
    """Sign in through the sign-in pages with the test client: the password, then (for the roles that need
    one) the code of the user's authenticator app (made for them if they have none). Returns the last
    response, redirects followed."""
    user = get_user_model().objects.get(username=username)
    device = authenticator_of(user) if must_use_second_factor(user) else None
    response = client.post("/login/", {"username": username, "password": password}, follow=True, **headers)
    if device is not None and response.redirect_chain and "/account/verify/" in response.redirect_chain[-1][0]:
        target = response.redirect_chain[-1][0]
        response = client.post(target, {"token": totp_code(device)}, follow=True, **headers)
    return response


# The phone the browser tests use (the `phone` fixture in the root conftest.py): most visitors come on one.
PHONE = {"width": 390, "height": 844}


def sign_in(page: Any, base_url: str, username: str, password: str, *, lands_on: str = "/office/") -> None:
    """Sign in in a real browser as a person does: from the home page's 登录 link, through the password and,
    for the roles that need one, the authenticator code (the user's authenticator made for them if they have
    none), to the page the role lands on."""
    user = get_user_model().objects.get(username=username)
    device = authenticator_of(user) if must_use_second_factor(user) else None
    page.goto(base_url + "/")
    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if device is not None:
        # The second step, as the person types the code their authenticator app shows.
        page.wait_for_url(re.compile(r"/account/verify/"))
        page.get_by_label("验证码").fill(totp_code(device))
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(re.compile(re.escape(lands_on) + "$"))


def fits_the_phone(page: Any) -> bool:
    """Nothing on the page scrolls sideways on the phone."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot in var/screenshots/<name>.png, for people reviewing the pages."""
    directory = Path(settings.VAR_DIR) / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


# ------------------------------------------------------------------ accessibility

# The rules of WCAG 2.0 and 2.1 at levels A and AA: the standard CertHub's pages meet (GB/T 37668 asks for the
# same). axe-core's "best-practice" and "experimental" rules are not part of the standard and are left out.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_AXE = Axe()


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.1 A and AA on the page as it is now in the browser (its script comes
    from the installed package, injected into the page: nothing is loaded from elsewhere)."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]}
    violations: list[dict[str, Any]] = _AXE.run(page, options=options).response["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One paragraph per broken rule: its id, impact and help text, then each offending element's selector."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            # axe-core's summary: "Fix any/all of the following:" headings, then one check that failed a line.
            summary = [line.strip() for line in node.get("failureSummary", "").splitlines()]
            summary = [line for line in summary if line and not line.startswith("Fix ")]
            lines.append(f"    {target}: {'; '.join(summary)}")
    return "\n".join(lines)


def assert_accessible(page: Any, *, context: str = "") -> None:
    """The page now in the browser meets WCAG 2.1 AA as far as axe-core can tell; otherwise the test fails
    with every violation listed (rule, impact, help text, offending elements). `context` says which page or
    state this is, for the message."""
    page.wait_for_load_state()
    violations = accessibility_violations(page)
    where = f"{context or 'page'} ({page.url})"
    assert not violations, f"{where} is not accessible:\n" + describe_violations(violations)
