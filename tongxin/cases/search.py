"""Word search in case descriptions through an index of character bigrams (BENCHMARKS.md, "Word search").

Chinese has no spaces and a search is often two characters (垃圾, 漏水), too short for trigrams. So
each description is indexed as the set of its overlapping two-character pieces (the last character
paired with a space, so that every character begins a piece); a query is answered by the cases
holding every piece of the query, then checked exactly with `description__contains`: the results
are those of the substring search, only found through an index. Where the pieces alone are exact
(a query of one or two characters on PostgreSQL: its piece, or a piece it begins, is the substring;
two Chinese characters on SQLite) the check is left out, so a count reads the index, not the rows.

- PostgreSQL: `tongxin_case_grams(description)`, an immutable SQL function returning the pieces as a
  tsvector, with a GIN index on that expression (migration 0020): PostgreSQL keeps it on every
  INSERT, UPDATE, DELETE and COPY, whoever writes. A one-character query is a prefix query (`'水':*`).
- SQLite: an FTS5 table `cases_case_search` (unicode61 tokenizer, contentless) keyed by the case id
  and kept by triggers calling `tongxin_case_grams`, a function registered on every connection
  Django opens (CasesConfig.ready); unicode61 splits pieces at punctuation and folds case, so the
  query uses only the pieces made of letters and digits (or a prefix per character), a superset of
  the matches that the exact check then narrows (SQLite's LIKE ignores ASCII case, as before).
"""

import unicodedata
from typing import Any

from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.expressions import RawSQL

PG_FUNCTION = "tongxin_case_grams"
SQLITE_TABLE = "cases_case_search"
MAX_TERMS = 12  # a longer query is narrowed by a dozen of its pieces; the exact check does the rest


def grams(text: str) -> list[str]:
    """The distinct overlapping two-character pieces of the text, the last character with a space."""
    padded = text + " "
    seen = dict.fromkeys(padded[i : i + 2] for i in range(len(text)))
    return list(seen)


def grams_text(text: str | None) -> str:
    """What SQLite's FTS table holds for a description: its pieces separated by spaces."""
    return " ".join(grams(text or ""))


def _word_char(ch: str) -> bool:
    # what the unicode61 tokenizer keeps inside a token: letters and numbers
    return unicodedata.category(ch)[0] in "LN"


def _spread(terms: list[str]) -> list[str]:
    if len(terms) <= MAX_TERMS:
        return terms
    step = len(terms) / MAX_TERMS
    return [terms[int(i * step)] for i in range(MAX_TERMS)]


def pg_tsquery(q: str) -> str:
    """The tsquery text: every piece of q ANDed (quoted), or a prefix for a single character."""

    def quoted(lexeme: str) -> str:
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"

    if len(q) == 1:
        return quoted(q) + ":*"
    pieces = _spread([q[i : i + 2] for i in range(len(q) - 1)])
    return " & ".join(quoted(p) for p in dict.fromkeys(pieces))


def sqlite_match(q: str) -> str | None:
    """The FTS5 query: q's pieces of two letters or digits ANDed, else a prefix per letter or digit;
    None when q has no letter or digit at all (then the descriptions are scanned)."""
    pieces = [q[i : i + 2] for i in range(len(q) - 1) if _word_char(q[i]) and _word_char(q[i + 1])]
    if pieces:
        return " AND ".join(f'"{p}"' for p in _spread(list(dict.fromkeys(pieces))))
    chars = [ch for ch in dict.fromkeys(q) if _word_char(ch)]
    if chars:
        return " AND ".join(f'"{ch}"*' for ch in _spread(chars))
    return None


class _GramsMatch(Func):
    """`tongxin_case_grams(description) @@ (query)::tsquery`, the expression of the GIN index."""

    template = f"({PG_FUNCTION}(%(expressions)s)::tsquery)"
    arg_joiner = ") @@ ("
    output_field = BooleanField()


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def words_q(q: str, vendor: str) -> tuple[Q, Q | None]:
    """The conditions for cases whose description contains q (q not empty): the index's, and the
    exact check of its candidates (None where the index alone is exact, so the count needs no row:
    on PostgreSQL a query of one or two characters, whose piece is itself the substring; on SQLite
    two Chinese characters, which the tokenizer neither folds nor splits)."""
    exact = Q(description__contains=q)
    if vendor == "postgresql":
        return Q(_GramsMatch(F("description"), Value(pg_tsquery(q)))), exact if len(q) > 2 else None
    if vendor == "sqlite":
        match = sqlite_match(q)
        if match is None:
            return exact, None
        # the table's name is a constant of this module; the words are a parameter
        found = RawSQL(f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s", (match,))  # nosec B611 B608
        return Q(pk__in=found), None if len(q) == 2 and all(map(_cjk, q)) else exact
    return exact, None


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: SQLite's triggers call tongxin_case_grams to fill the FTS table."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(PG_FUNCTION, 1, grams_text, deterministic=True)
