#!/usr/bin/env bash
# Message catalogues of the web UI (see docs/decisions/0006-translations.md).
#
#   bash scripts/i18n.sh extract   sources -> eagov/translations/messages.pot -> every .po
#                                  (new strings arrive untranslated, changed ones as fuzzy)
#   bash scripts/i18n.sh compile   every .po -> its .mo (commit both; the app reads the .mo)
#   bash scripts/i18n.sh check     fail when a string of the sources is missing from a .po,
#                                  when a .po has untranslated or fuzzy entries, or when a
#                                  .mo does not match its .po (tests/test_translations.py
#                                  checks the same in the suite)
#
# Adding UI text: wrap it (_ / gettext / ngettext / _l / lazy_gettext), run `extract`,
# translate the new entries in eagov/translations/<locale>/LC_MESSAGES/messages.po, remove
# their "fuzzy" flags, run `compile`, commit the .pot, .po and .mo together.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${VENV:-.venv}
BIN=$VENV/bin
DIR=eagov/translations
POT=$DIR/messages.pot
LOCALES=(zh_Hans)
# Functions whose string arguments are messages (name:argument positions for plurals).
# tests/test_translations.py reads this line: keep it one line, space separated.
KEYWORDS="_ gettext ngettext:1,2 _l lazy_gettext lazy_ngettext:1,2 pgettext:1c,2 npgettext:1c,2,3"

kw_args=()
for k in $KEYWORDS; do kw_args+=(-k "$k"); done

po_of() { echo "$DIR/$1/LC_MESSAGES/messages.po"; }

extract() {
    local version
    version=$("$BIN/python" -c 'import importlib.metadata as m; print(m.version("eagov"))')
    "$BIN/pybabel" -q extract -F babel.cfg "${kw_args[@]}" --add-comments=Translators: \
        --project=eagov --version="$version" --copyright-holder="eagov contributors" \
        --sort-by-file -o "$POT" .
    for loc in "${LOCALES[@]}"; do
        if [[ -f $(po_of "$loc") ]]; then
            "$BIN/pybabel" update -i "$POT" -d "$DIR" -l "$loc" --ignore-obsolete --previous
        else
            "$BIN/pybabel" init -i "$POT" -d "$DIR" -l "$loc"
        fi
    done
    echo "Now translate the empty and fuzzy entries, then: bash scripts/i18n.sh compile"
}

compile() {
    for loc in "${LOCALES[@]}"; do
        "$BIN/pybabel" compile --statistics -d "$DIR" -l "$loc"
    done
}

check() {
    local tmp
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    "$BIN/pybabel" -q extract -F babel.cfg "${kw_args[@]}" -o "$tmp/fresh.pot" .
    "$BIN/python" - "$tmp/fresh.pot" "$DIR" "${LOCALES[@]}" <<'EOF'
import io
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

fresh_pot, directory, *locales = sys.argv[1:]


def messages(catalog):
    """{(id, context): translation} with plural ids and forms as tuples."""
    tup = lambda v: tuple(v) if isinstance(v, (list, tuple)) else v  # noqa: E731
    return {(tup(m.id), m.context): tup(m.string) for m in catalog if m.id}


with open(fresh_pot, "rb") as f:
    wanted = {(m.id, m.context) for m in read_po(f) if m.id}
problems = []
for loc in locales:
    po_path = Path(directory, loc, "LC_MESSAGES", "messages.po")
    mo_path = po_path.with_suffix(".mo")
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=loc)
    have = {(m.id, m.context): m for m in catalog if m.id}
    for key in sorted(wanted - have.keys(), key=str):
        problems.append(f"{po_path}: not extracted yet (run extract): {key[0]!r}")
    for key, m in have.items():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"{po_path}:{m.lineno}: fuzzy: {m.id!r}")
        elif not all(strings):
            problems.append(f"{po_path}:{m.lineno}: untranslated: {m.id!r}")
    if catalog.fuzzy:
        problems.append(f"{po_path}: the header is marked fuzzy")
    if not mo_path.exists():
        problems.append(f"{mo_path}: missing (run compile)")
        continue
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    expected = messages(read_mo(buf))
    with mo_path.open("rb") as f:
        actual = messages(read_mo(f))
    if expected != actual:
        problems.append(f"{mo_path}: out of date with {po_path.name} (run compile)")
for line in problems:
    print(line, file=sys.stderr)
if problems:
    sys.exit(f"i18n check: {len(problems)} problem(s)")
print(f"i18n check: {len(wanted)} messages, every locale translated and compiled")
EOF
}

case ${1:-} in
    extract) extract ;;
    compile) compile ;;
    check) check ;;
    *)
        echo "usage: bash scripts/i18n.sh extract|compile|check" >&2
        exit 2
        ;;
esac
