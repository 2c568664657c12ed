"""The policy-theme codebook: loading, validation, and a log of dictionary-expansion decisions.

A codebook is a YAML file (see ``codebook.yaml`` beside this module, documented in the
README) with ``name``, ``version`` and ``themes``; each theme has ``label``, ``label_en``,
``definition``, ``cap_major_topic`` and ``terms``. A malformed file stops with a message that
names the file, the theme and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from cityanalytics.errors import InputFileError
from cityanalytics.hashing import sha256_text

SHIPPED_CODEBOOK = Path(str(resources.files("cityanalytics.analysis"))) / "codebook.yaml"
THEME_FIELDS = ("label", "label_en", "definition", "cap_major_topic", "terms")
DECISIONS = ("accept", "reject")
LOG_COLUMNS = ["theme", "term", "decision", "method", "score", "note"]


@dataclass(frozen=True)
class Theme:
    """One theme: its key, labels, definition, CAP alignment and terms."""

    key: str
    label: str
    label_en: str
    definition: str
    cap_major_topic: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """Themes in file order, with the codebook's name, version and content hash."""

    name: str
    version: str
    themes: tuple[Theme, ...]

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.themes]

    def theme(self, key: str) -> Theme:
        """The theme with this key."""
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(f"no theme {key!r} in codebook {self.name!r}; themes are {self.keys}")

    def term_table(self) -> pd.DataFrame:
        """One row per (theme, term), in codebook order: theme, label, term."""
        rows = [(t.key, t.label, term) for t in self.themes for term in t.terms]
        return pd.DataFrame(rows, columns=["theme", "label", "term"])

    def term_sets(self) -> dict[str, list[str]]:
        """Theme key → terms, the form ``trends`` and ``first_appearance`` take for term sets."""
        return {t.key: list(t.terms) for t in self.themes}

    def to_dict(self) -> dict:
        """The codebook as the mapping its YAML file holds."""
        themes = {
            t.key: {"label": t.label, "label_en": t.label_en, "definition": t.definition,
                    "cap_major_topic": t.cap_major_topic, "terms": list(t.terms)}
            for t in self.themes
        }
        return {"name": self.name, "version": self.version, "themes": themes}

    @property
    def hash(self) -> str:
        """SHA-256 of the codebook's canonical YAML, for manifests."""
        return sha256_text(yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=True))

    def to_yaml(self, path: str | Path) -> Path:
        """Write the codebook as YAML (for example after accepting new terms)."""
        path = Path(path)
        path.write_text(yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path


def _parse(data, source: str) -> Codebook:
    if not isinstance(data, dict) or not isinstance(data.get("themes"), dict) or not data["themes"]:
        raise InputFileError(source, "a codebook needs a 'themes' mapping with at least one theme")
    themes = []
    owner: dict[str, str] = {}
    for key, spec in data["themes"].items():
        if not isinstance(spec, dict):
            raise InputFileError(source, f"theme {key!r}: expected a mapping of {', '.join(THEME_FIELDS)}")
        missing = [f for f in ("label", "terms") if f not in spec]
        if missing:
            raise InputFileError(source, f"theme {key!r}: missing field(s) {', '.join(missing)}")
        terms = spec["terms"]
        if not isinstance(terms, list) or not terms or not all(isinstance(t, (str, int)) and str(t).strip() for t in terms):
            raise InputFileError(source, f"theme {key!r}: 'terms' must be a non-empty list of words")
        terms = tuple(str(t).strip() for t in terms)
        for term in terms:
            if owner.get(term) == key:
                raise InputFileError(source, f"theme {key!r} lists term {term!r} twice")
            if term in owner:
                raise InputFileError(source, f"term {term!r} is in both theme {owner[term]!r} and theme {key!r}")
            owner[term] = key
        themes.append(
            Theme(str(key), str(spec["label"]), str(spec.get("label_en", key)), str(spec.get("definition", "")),
                  str(spec.get("cap_major_topic", "")), terms)
        )
    return Codebook(str(data.get("name", Path(source).stem)), str(data.get("version", "")), tuple(themes))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The shipped codebook, or a user's codebook file in the same YAML form."""
    path = Path(path) if path is not None else SHIPPED_CODEBOOK
    if not path.is_file():
        raise InputFileError(path, "codebook file not found")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise InputFileError(path, "not a readable YAML file (it must be UTF-8)") from None
    except yaml.YAMLError as error:
        raise InputFileError(path, f"not a readable YAML file ({_yaml_problem(error)})") from None
    return _parse(data, str(path))


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What the YAML parser found wrong and where, on one line (its own message quotes the line
    with a caret under it)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or error.__class__.__name__
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark is not None else problem


def as_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    """A Codebook from a Codebook, a path, or None (the shipped one)."""
    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def record_decisions(decisions: pd.DataFrame, log_path: str | Path) -> pd.DataFrame:
    """Append reviewed candidate terms to a decision log (CSV) and return the whole log.

    ``decisions`` needs columns theme, term and decision (accept or reject); method, score and
    note are kept when present. The log is the record of how a dictionary was expanded.
    """
    missing = [c for c in ("theme", "term", "decision") if c not in decisions.columns]
    if missing:
        raise ValueError(f"decisions need columns {missing}")
    bad = decisions.loc[~decisions["decision"].isin(DECISIONS), "decision"]
    if not bad.empty:
        raise ValueError(f"decision must be one of {DECISIONS}, not {sorted(set(bad.astype(str)))}")
    new = decisions.reindex(columns=LOG_COLUMNS)
    log_path = Path(log_path)
    log = pd.concat([pd.read_csv(log_path, keep_default_na=False), new], ignore_index=True) if log_path.is_file() else new
    log.to_csv(log_path, index=False, lineterminator="\n")
    return log


def apply_decisions(codebook: Codebook, log_path: str | Path) -> Codebook:
    """The codebook with the accepted terms of a decision log added.

    A decision is about a term for one theme: the latest per theme and term wins, so rejecting a
    term for one theme leaves an acceptance for another in force. A term counts for one theme only,
    so a log that accepts a term into a theme while it is in another (in the codebook, or accepted
    there too and not rejected since) is refused, naming both."""
    log = pd.read_csv(log_path, keep_default_na=False).drop_duplicates(["theme", "term"], keep="last")
    accepted = log[log["decision"] == "accept"]
    unknown = sorted(set(accepted["theme"]) - set(codebook.keys))
    if unknown:
        raise InputFileError(log_path, f"decisions name themes not in the codebook: {unknown}")
    in_codebook = {term: theme.key for theme in codebook.themes for term in theme.terms}
    owner = dict(in_codebook)
    for theme, term in accepted[["theme", "term"]].itertuples(index=False):
        if owner.setdefault(term, theme) != theme:
            mend = (f"reject it for {theme!r}, or take it out of theme {owner[term]!r} in the codebook"
                    if in_codebook.get(term) == owner[term] else "reject it for one of them")
            raise InputFileError(log_path, f"accepts term {term!r} into theme {theme!r}, but it is in theme "
                                           f"{owner[term]!r} already; a term counts for one theme only, so {mend}")
    themes = []
    for theme in codebook.themes:
        new_terms = [t for t in accepted.loc[accepted["theme"] == theme.key, "term"] if t not in theme.terms]
        themes.append(replace(theme, terms=theme.terms + tuple(new_terms)))
    return _parse(Codebook(codebook.name, codebook.version, tuple(themes)).to_dict(), str(log_path))
