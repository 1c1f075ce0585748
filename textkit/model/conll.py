"""Where the NDT/NorNE and UD data is, reading it, and which of it may be trained on.

The data are the Norwegian Dependency Treebank (NDT, Bokmål part, CoNLL-X) with NorNE
named-entity annotations, and the UD_Norwegian-Bokmaal dev and test files (CoNLL-U) with
the same entity tags.  :mod:`textkit.model.convert` turns the NDT annotation into UD
conventions; this module only reads the files and keeps training and evaluation apart.

Data handling rules (from the data README):

* the underlying texts may not be republished, so nothing derived from them is written
  into the repository: the corpora are read from ``/work/shared/data/norne`` (or
  ``$TEXTKIT_NORNE_DIR``) and converted DocBins/checkpoints go to ``/tmp/nbmodel``;
* every NDT sentence whose token sequence also occurs in the UD dev or test file is left
  out of training (:func:`excluded_sentences`), otherwise the evaluation is contaminated.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------

#: Default location of the shared NorNE/NDT data (read-only, outside the repository).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "norne"
#: Scratch space for converted corpora and training checkpoints (never inside the repo).
DEFAULT_WORK_DIR = Path("/tmp/nbmodel")

#: The nine NorNE entity types.
NORNE_TYPES = ("PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC")


def data_dir() -> Path:
    """Return the NorNE data directory (``$TEXTKIT_NORNE_DIR`` overrides the default)."""
    env = os.environ.get("TEXTKIT_NORNE_DIR")
    return Path(env) if env else DEFAULT_DATA_DIR


def ud_path(split: str, root: Path | None = None) -> Path:
    """Path of the UD Bokmål ``dev`` or ``test`` file."""
    root = root or data_dir()
    return root / "ud-nob" / f"no_bokmaal-ud-{split}.conllu"


# ---------------------------------------------------------------------------
# Reading CoNLL files
# ---------------------------------------------------------------------------


@dataclass
class Token:
    """One token of a CoNLL(-U) sentence.

    For NDT files ``pos``/``feats``/``deprel`` hold the NDT annotation; for UD files
    they hold UPOS, UD features and UD relations.
    """

    id: int
    form: str
    lemma: str
    pos: str
    feats: str
    head: int
    deprel: str
    ner: str = "O"  # IOB tag, e.g. "B-PER"
    space_after: bool = True


@dataclass
class Sentence:
    tokens: list[Token]
    source: str = ""  # file name (NDT) or sent_id (UD)
    text: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.form for t in self.tokens)


def _ner_from_misc(misc: str) -> str:
    for part in misc.split("|"):
        if part.startswith("name="):
            return part[5:]
    return "O"


def read_conll(path: Path | str) -> Iterator[Sentence]:
    """Read a CoNLL-X (NDT) or CoNLL-U (UD) file into :class:`Sentence` objects.

    Both formats share the column layout we need; NorNE stores the entity tag in the
    last column as ``name=B-PER`` (possibly next to ``SpaceAfter=No`` in UD files).
    Multi-word-token and empty-node lines (none exist in Bokmål UD) are skipped.
    """
    path = Path(path)
    tokens: list[Token] = []
    meta: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").lstrip("\ufeff")
            if not line.strip():
                if tokens:
                    yield Sentence(tokens, meta.get("sent_id", path.name), meta.get("text", ""))
                tokens, meta = [], {}
                continue
            if line.startswith("#"):
                if "=" in line:
                    key, _, val = line[1:].partition("=")
                    meta[key.strip()] = val.strip()
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            misc = cols[9] if len(cols) > 9 else "_"
            tokens.append(
                Token(
                    id=int(cols[0]),
                    form=cols[1],
                    lemma=cols[2],
                    pos=cols[3],
                    feats=cols[5],
                    head=int(cols[6]) if cols[6].isdigit() else 0,
                    deprel=cols[7],
                    ner=_ner_from_misc(misc),
                    space_after="SpaceAfter=No" not in misc,
                )
            )
    if tokens:
        yield Sentence(tokens, meta.get("sent_id", path.name), meta.get("text", ""))


def ndt_files(root: Path | None = None) -> list[Path]:
    """All NDT Bokmål ``.conll`` files, sorted so conversion is deterministic."""
    root = root or data_dir()
    return sorted((root / "ndt-nob").glob("*.conll"))


def read_ndt(root: Path | None = None) -> Iterator[Sentence]:
    """All NDT Bokmål sentences in file order."""
    for path in ndt_files(root):
        yield from read_conll(path)


# ---------------------------------------------------------------------------
# Train/dev/test separation
# ---------------------------------------------------------------------------


def excluded_sentences(root: Path | None = None) -> set[tuple[str, ...]]:
    """Return the token sequences that must never be used for training.

    These are all sentences of the UD dev and test files, as tuples of word forms.
    :func:`training_sentences` drops every NDT sentence whose token sequence is in this
    set, and ``tests/test_model.py`` uses it to prove that no evaluation sentence is in
    the training data.
    """
    excluded: set[tuple[str, ...]] = set()
    for split in ("dev", "test"):
        for sent in read_conll(ud_path(split, root)):
            excluded.add(sent.words)
    return excluded


def training_sentences(root: Path | None = None) -> list[Sentence]:
    """NDT sentences that are safe to train on (UD dev/test sentences removed).

    Matching uses :func:`sentence_key` (word forms with letters/digits), which also
    catches the sentences where UD dropped NDT's ``|`` headline marker or a final
    period; a few very short repeated headlines are over-excluded, which is harmless.
    """
    excluded = {sentence_key(words) for words in excluded_sentences(root)}
    return [s for s in read_ndt(root) if sentence_key(s.words) not in excluded]


def sentence_key(words: Iterable[str]) -> tuple[str, ...]:
    """Normalised token sequence used to match NDT and UD sentences.

    UD drops NDT's headline marker ``|`` and, in a few sentences, a final period, so
    matching on the raw sequence would miss them.  We therefore compare the sequence of
    word forms that contain at least one letter or digit.
    """
    return tuple(w for w in words if any(ch.isalnum() for ch in w))
