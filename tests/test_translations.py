"""The Simplified Chinese catalogue: complete, compiled, placeholders intact, glossary terms.

A failure here after you added or changed UI text usually means:

    bash scripts/i18n.sh extract    # the new strings land in the .po, empty or fuzzy
    # translate them in eagov/translations/zh_Hans/LC_MESSAGES/messages.po
    bash scripts/i18n.sh compile    # the .mo the app reads at run time

See docs/decisions/0006-translations.md (the glossary is there too).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = "zh_Hans"
PO = ROOT / "eagov" / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
HOWTO = (
    "\nRun `bash scripts/i18n.sh extract`, translate the entries in "
    f"{PO.relative_to(ROOT)} (no empty msgstr, no 'fuzzy' flag), then "
    "`bash scripts/i18n.sh compile`."
)

# English term (regular expression, case-insensitive) -> the one Simplified Chinese term
# (the glossary of docs/decisions/0006-translations.md).
GLOSSARY: list[tuple[str, str]] = [
    (r"\barchitecture boards?\b", "架构委员会"),
    (r"\bdispensations?\b", "豁免"),
    (r"\bdeliverables?\b", "交付物"),
    (r"\baudit trails?\b", "审计轨迹"),
    (r"\borg units?\b", "组织单元"),
    (r"\bpositions?\b", "职位"),
    (r"\bcompliance reviews?\b", "合规评审"),
    (r"\bchecklists?\b", "检查清单"),
    (r"\barchitecture contracts?\b", "架构合同"),
    (r"\bstatements? of architecture work\b", "架构工作说明书"),
    (r"\bfindings?\b", "发现项"),
    (r"\blevels? of conformance\b", "符合性级别"),
    (r"\bgovernance requests?\b", "治理请求"),
    (r"\bmaturity assessments?\b", "成熟度评估"),
    (r"\bskills framework\b", "技能框架"),
    (r"\bproficiency\b", "熟练度"),
    (r"\barchitecture sponsors?\b", "架构赞助者"),
    (r"\bsignatures?\b", "签名"),
]
# msgid -> why a glossary word in it means something else there.
GLOSSARY_EXEMPT: dict[str, str] = {
    "Position in the organisation": "where a unit sits in the tree, not a job",
}
# Near-synonyms that would give a concept a second name.
NOT_GLOSSARY: dict[str, str] = {
    "董事会": "架构委员会",
    "可交付成果": "交付物",
    "交付成果": "交付物",
    "审计跟踪": "审计轨迹",
    "审计线索": "审计轨迹",
    "组织单位": "组织单元",
    "岗位": "职位",
    "合规审查": "合规评审",
    "合规审核": "合规评审",
    "检查表": "检查清单",
    "核对清单": "检查清单",
    "豁免权": "豁免",
    "例外许可": "豁免",
}

PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _keywords() -> list[str]:
    """The extraction keywords, read from scripts/i18n.sh so both extract the same strings."""
    script = (ROOT / "scripts" / "i18n.sh").read_text(encoding="utf-8")
    found = re.search(r'^KEYWORDS="([^"]+)"', script, re.MULTILINE)
    assert found, "scripts/i18n.sh has no KEYWORDS line"
    return found.group(1).split()


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages of the sources as they are now (what `i18n.sh extract` would write)."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg")]
    for keyword in _keywords():
        args += ["-k", keyword]
    CommandLineInterface().run([*args, "-o", str(out), str(ROOT)])
    with out.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def po() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale=LOCALE)


def _key(message: Message) -> tuple[Any, str | None]:
    return (_tuple(message.id), message.context)


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _forms(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _entries(catalog: Iterable[Message]) -> list[Message]:
    return [m for m in catalog if m.id]


def _where(message: Message) -> str:
    def short(path: str) -> str:
        return str(Path(path).relative_to(ROOT)) if Path(path).is_relative_to(ROOT) else path

    places = ", ".join(f"{short(path)}:{line}" for path, line in message.locations[:3])
    return places or f"{PO.name}:{message.lineno}"


def test_sources_yield_messages(fresh_pot: Catalog) -> None:
    """Guards the extraction itself: a broken babel.cfg would otherwise make (a) pass vacuously."""
    ids = {_key(m)[0] for m in _entries(fresh_pot)}
    assert len(ids) > 300
    assert "Sign in" in ids  # a template
    assert "Administrator" in ids  # lazy_gettext in Python
    assert ("%(num)s item", "%(num)s items") in ids  # ngettext keeps its plural


def test_every_ui_string_has_a_chinese_translation(fresh_pot: Catalog, po: Catalog) -> None:
    translated = {_key(m): m for m in _entries(po)}
    problems: list[str] = []
    for message in _entries(fresh_pot):
        entry = translated.get(_key(message))
        if entry is None:
            problems.append(f"  not in the .po yet: {message.id!r}  ({_where(message)})")
        elif entry.fuzzy:
            problems.append(f"  fuzzy: {message.id!r}  ({_where(message)})")
        elif not all(_forms(entry.string)):
            problems.append(f"  untranslated: {message.id!r}  ({_where(message)})")
    assert not problems, (
        f"{len(problems)} UI string(s) without a Simplified Chinese translation:\n"
        + "\n".join(problems)
        + HOWTO
    )


def test_catalogue_header_is_usable(po: Catalog) -> None:
    # `pybabel compile` skips a catalogue whose header is fuzzy; zh has one plural form.
    assert not po.fuzzy, f"{PO.name}: remove '#, fuzzy' above the header"
    assert po.num_plurals == 1


def _messages(catalog: Iterable[Message]) -> dict[tuple[Any, str | None], Any]:
    return {_key(m): _tuple(m.string) for m in _entries(catalog)}


def test_committed_mo_matches_the_po(po: Catalog) -> None:
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing: run `bash scripts/i18n.sh compile`"
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    expected = _messages(read_mo(compiled))
    with MO.open("rb") as f:
        committed = _messages(read_mo(f))
    keys = expected.keys() | committed.keys()
    stale = sorted(str(k[0]) for k in keys if expected.get(k) != committed.get(k))
    assert not stale, (
        f"{MO.relative_to(ROOT)} does not match {PO.name} ({len(stale)} message(s) differ, "
        f"e.g. {stale[:5]}): run `bash scripts/i18n.sh compile` and commit the .mo"
    )


def _placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def _bare_percent(text: str) -> int:
    return PLACEHOLDER.sub("", text).count("%")


def test_translations_keep_the_placeholders(po: Catalog) -> None:
    problems: list[str] = []
    for message in _entries(po):
        sources = _forms(message.id)
        allowed = [_placeholders(s) for s in sources]
        for form in _forms(message.string):
            if not form:
                continue  # reported by the completeness test
            if _placeholders(form) not in allowed:
                problems.append(
                    f"  {message.id!r}: {sorted(_placeholders(form))} instead of "
                    f"{sorted(allowed[-1])} in {form!r}"
                )
            # Templates always %-format their strings: a lone % breaks the page.
            if _bare_percent(form) > max(_bare_percent(s) for s in sources):
                problems.append(f"  {message.id!r}: write a literal % as %% in {form!r}")
    assert not problems, "Placeholders differ between msgid and translation:\n" + "\n".join(
        problems
    )


def test_translations_use_the_glossary_terms(po: Catalog) -> None:
    problems: list[str] = []
    for message in _entries(po):
        english = " ".join(_forms(message.id))
        if english in GLOSSARY_EXEMPT or message.id in GLOSSARY_EXEMPT:
            continue
        forms = [f for f in _forms(message.string) if f]
        for pattern, term in GLOSSARY:
            if re.search(pattern, english, re.IGNORECASE):
                problems.extend(
                    f"  {message.id!r}: uses no {term} ({pattern}): {form!r}"
                    for form in forms
                    if term not in form
                )
        for wrong, right in NOT_GLOSSARY.items():
            problems.extend(
                f"  {message.id!r}: {wrong} should be {right}: {form!r}"
                for form in forms
                if wrong in form
            )
    assert not problems, (
        "Translations that leave the glossary (docs/decisions/0006-translations.md); "
        "a word that means something else in one message goes into GLOSSARY_EXEMPT:\n"
        + "\n".join(problems)
    )


ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def test_login_page_is_chinese_for_a_chinese_browser(client: Any) -> None:
    page = client.get("/login", headers=ZH)
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text
    assert "登录" in page.text and "Sign in" not in page.text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/", ["仪表板", "组织单元", "架构委员会", "退出登录"]),
        ("/org/units", ["新建组织单元", "结构模板"]),
        ("/org/chart", ["组织架构图", "下载 SVG"]),
        ("/org/people", ["添加人员", "从 CSV 导入"]),
        ("/org/positions", ["新建职位"]),
        ("/org/boards", ["新建委员会", "尚无架构委员会。"]),
        ("/org/templates", ["组织结构模板", "审计轨迹"]),
        ("/org/people/import", ["从 CSV 文件导入人员"]),
        ("/audit/", ["审计日志", "校验链"]),
        ("/admin/users", ["邀请用户", "管理员"]),
        ("/account/", ["个人资料", "跟随浏览器设置"]),
        ("/account/tokens", ["API 令牌"]),
        ("/reviews/", ["合规评审", "检查清单", "豁免"]),
        ("/contracts/", ["架构合同", "交付物"]),
    ],
)
def test_pages_render_in_chinese(client: Any, login_as: Any, url: str, words: list[str]) -> None:
    login_as("admin")
    page = client.get(url, headers=ZH)
    assert page.status_code == 200, page.text[:500]
    assert 'lang="zh-Hans"' in page.text
    missing = [w for w in words if w not in page.text]
    assert not missing, f"{url} lacks {missing}"
    for english in (">Sign out<", ">Dashboard<", ">Save<", ">Cancel<"):
        assert english not in page.text, f"{url} shows {english} untranslated"
