"""Tags and batches renamed and deleted, imports undone: through the
command line, as a person meets them (`paperqueue tag ...`, `batch ...`,
`undo`, `list`, `export`), and what lands in meta.json and the state files."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from paperqueue.cli import main
from paperqueue.core import organize
from paperqueue.core.history import History
from paperqueue.core.models import PaperState
from paperqueue.core.queue import QueueView
from paperqueue.core.store import Store
from paperqueue.core.writer import Writer

X_BIB = (
    "@article{a, title={Alpha paper on things}, author={Smith, J}, year={2020}}\n"
    "@article{b, title={Beta paper on stuff}, author={Jones, K}, year={2021}}\n"
    "@article{c, title={Gamma paper on more}, author={Lee, M}, year={2022}}\n"
)
Y_BIB = (
    "@article{c, title={Gamma paper on more}, author={Lee, M}, year={2022}}\n"
    "@article{d, title={Delta paper at last}, author={Kim, H}, year={2023}}\n"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def titles(capsys, *extra: str) -> list[str]:
    code, out, _err = run(capsys, "list", "--format", "json", *extra)
    assert code == 0
    return sorted(row["title"] for row in json.loads(out))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_batches(tmp_path: Path, capsys) -> tuple[Path, Path]:
    x, y = write(tmp_path, "x.bib", X_BIB), write(tmp_path, "y.bib", Y_BIB)
    assert run(capsys, "import", str(x), "--name", "first")[0] == 0
    assert run(capsys, "import", str(y), "--name", "second")[0] == 0
    return x, y


def tag(home: Path, tags: dict[str, tuple[str, ...]]) -> None:
    """Give papers (by title word) tags, as one logged action."""
    store = Store.open(home)
    history = History(home)
    writer = Writer(store, history)
    changes = []
    for paper in store.papers.values():
        word = paper.title.split()[0]
        if word in tags:
            before = store.state(paper.key)
            after = PaperState(tags=tags[word])
            store.set_state(paper.key, after)
            changes.append((paper.key, before.to_record(), after.to_record()))
    writer.record("Tagged", changes)
    writer.save()
    store.close()


def tags_on_disk(home: Path) -> dict[str, tuple[str, ...]]:
    store = Store.open(home, lock=False)
    found = {store.papers[k].title.split()[0]: s.tags for k, s in store.states.items() if s.tags}
    store.close()
    return found


# -- tags ------------------------------------------------------------------------


def test_tag_rename_merges_case_insensitively_and_undo_reverts(two_batches, pq_home: Path, capsys) -> None:
    tag(pq_home, {"Alpha": ("ML", "nlp"), "Beta": ("ML",), "Gamma": ("nlp", "vision")})
    code, out, _ = run(capsys, "tag", "rename", "#ml", "NLP")  # typed in another case: spelled as in use
    assert code == 0
    assert out.strip() == "Renamed tag #ML to #nlp (merged) on 2 papers"
    assert tags_on_disk(pq_home) == {"Alpha": ("nlp",), "Beta": ("nlp",), "Gamma": ("nlp", "vision")}
    code, out, _ = run(capsys, "tag", "list", "--format", "json")
    assert json.loads(out) == [{"tag": "nlp", "papers": 3}, {"tag": "vision", "papers": 1}]
    code, out, _ = run(capsys, "undo")
    assert out.strip() == "undid: Renamed tag #ML to #nlp (merged) on 2 papers"
    assert tags_on_disk(pq_home) == {"Alpha": ("ML", "nlp"), "Beta": ("ML",), "Gamma": ("nlp", "vision")}
    assert run(capsys, "redo")[1].startswith("redid: Renamed tag #ML")
    assert tags_on_disk(pq_home)["Alpha"] == ("nlp",)
    # A new spelling of the same tag is a rename, not a merge.
    assert run(capsys, "tag", "rename", "nlp", "NLP")[1] == "Renamed tag #nlp to #NLP on 3 papers\n"


def test_tag_delete_and_list(two_batches, pq_home: Path, capsys) -> None:
    tag(pq_home, {"Alpha": ("todo", "ml"), "Delta": ("TODO",)})
    code, out, _ = run(capsys, "tag", "list")
    assert out == "      2  #ml\n      2  #todo\n".replace("      2  #ml", "      1  #ml")
    code, out, _ = run(capsys, "tag", "delete", "Todo")
    assert (code, out.strip()) == (0, "Deleted tag #todo from 2 papers")
    assert tags_on_disk(pq_home) == {"Alpha": ("ml",)}
    assert run(capsys, "undo")[0] == 0
    assert tags_on_disk(pq_home) == {"Alpha": ("todo", "ml"), "Delta": ("TODO",)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tag", "delete", "nope"), "paperqueue: no tag called 'nope' (tags: ml)\n"),
        (("tag", "rename", "nope", "x"), "paperqueue: no tag called 'nope' (tags: ml)\n"),
        (("tag", "rename", "ml", " # "), "paperqueue: the new tag name '#' is empty\n"),
        (("tag", "rename", "ml", "two words"), "paperqueue: the new tag name 'two words' must be one word (tags are split on spaces and commas)\n"),
        (("tag", "rename", "ml", "ml"), "paperqueue: the tag is already called #ml\n"),
        (("batch", "delete", "nope"), "paperqueue: no batch called 'nope' (batches: 2 second; 1 first)\n"),
        (("batch", "rename", "first", "  "), "paperqueue: the new batch name is empty\n"),
    ],
)
def test_refusals_are_one_line_exit_2_and_touch_nothing(two_batches, pq_home: Path, capsys, args, message) -> None:
    tag(pq_home, {"Alpha": ("ml",)})
    code, out, err = run(capsys, *args)
    files = store_files(pq_home)
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (2, "", message)
    assert store_files(pq_home) == files


def store_files(home: Path) -> dict[Path, bytes]:
    """The store's own files (not the lock, not the derived search cache)."""
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "queue.lock" and not p.name.startswith("search.")}


def test_tag_rename_refused_while_the_app_holds_the_queue(two_batches, pq_home: Path, capsys) -> None:
    tag(pq_home, {"Alpha": ("ml",)})
    holder = Store.open(pq_home)  # as the app would
    try:
        code, out, err = run(capsys, "tag", "rename", "ml", "deep")
    finally:
        holder.close()
    assert code == 1 and out == "" and err.count("\n") == 1 and "close the app first" in err
    assert tags_on_disk(pq_home) == {"Alpha": ("ml",)}


# -- batches -----------------------------------------------------------------------


def test_batch_list_rename_delete_and_undo(two_batches, pq_home: Path, capsys) -> None:
    code, out, _ = run(capsys, "batch", "list", "--format", "json")
    listed = json.loads(out)
    assert [(b["id"], b["name"], b["papers"]) for b in listed] == [(2, "second", 2), (1, "first", 3)]
    assert run(capsys, "batch", "rename", "1", "Reading group")[1] == 'Renamed batch "first" to "Reading group"\n'
    code, out, _ = run(capsys, "batch", "delete", "Reading")
    assert (code, out) == (0, 'Deleted batch "Reading group" (2 papers hidden)\n')
    # Gamma is in the second batch too: it stays.
    assert titles(capsys) == ["Delta paper at last", "Gamma paper on more"]
    assert titles(capsys, "--unread") == ["Delta paper at last", "Gamma paper on more"]
    code, out, _ = run(capsys, "export", "--format", "json")
    assert sorted(row["title"] for row in json.loads(out)) == ["Delta paper at last", "Gamma paper on more"]
    assert [row["batches"] for row in json.loads(out)] == [["second"], ["second"]]
    code, out, _ = run(capsys, "batch", "list")
    assert out.splitlines()[0].split()[0] == "2" and len(out.splitlines()) == 1
    meta = orjson.loads((pq_home / "meta.json").read_bytes())["meta"]["1"]
    assert meta["batches"]["1"]["deleted"] is True and meta["batches"]["1"]["name"] == "Reading group"
    assert run(capsys, "undo")[1] == 'undid: Deleted batch "Reading group" (2 papers hidden)\n'
    assert len(titles(capsys)) == 4
    assert run(capsys, "undo")[1] == 'undid: Renamed batch "first" to "Reading group"\n'
    assert orjson.loads((pq_home / "meta.json").read_bytes())["meta"]["1"]["batches"]["1"] == {
        k: v for k, v in meta["batches"]["1"].items() if k != "deleted"} | {"name": "first"}


def test_hidden_papers_leave_the_counts_and_rows_of_every_view(two_batches, pq_home: Path, capsys) -> None:
    tag(pq_home, {"Alpha": ("ml",), "Gamma": ("ml",)})
    assert run(capsys, "batch", "delete", "first")[0] == 0
    store = Store.open(pq_home, lock=False)
    assert store.hidden_keys() == {k for k, p in store.papers.items() if p.title.split()[0] in ("Alpha", "Beta")}
    full = QueueView(list(store.papers.values()), store.states, "all", total=store.count, hidden=store.hidden_keys())
    for view in (full,):
        assert view.counts == {"inbox": 2, "starred": 0, "read": 0, "all": 2}
        assert view.tag_unread == {"ml": 1}
        assert sorted(p.title for p in view.rows) == ["Delta paper at last", "Gamma paper on more"]
        assert view.batch_unread == {1: 1, 2: 2}  # Gamma is in both; the sidebar lists live batches only
    assert organize.tag_counts(store) == [("ml", 1)]
    store.close()


# -- imports -------------------------------------------------------------------------


def test_undo_right_after_an_import_hides_its_papers_and_redo_shows_them(tmp_path: Path, pq_home: Path, capsys) -> None:
    x = write(tmp_path, "x.bib", X_BIB)
    assert run(capsys, "import", str(x))[0] == 0
    code, out, _ = run(capsys, "undo")
    assert code == 0
    assert out.startswith("undid: Imported x.bib: BibTeX: 3 new, ")
    assert titles(capsys) == []
    assert run(capsys, "batch", "list")[1] == ""
    assert run(capsys, "redo")[1].startswith("redid: Imported x.bib: BibTeX: 3 new")
    assert len(titles(capsys)) == 3


def test_an_import_bringing_nothing_new_makes_no_batch(two_batches, pq_home: Path, capsys) -> None:
    x, _y = two_batches
    before = orjson.loads((pq_home / "meta.json").read_bytes())["meta"]["1"]["batches"]
    code, out, _ = run(capsys, "import", str(x))
    assert out == "x.bib: BibTeX: 0 new, 3 already in the queue (0 merged, 3 unchanged), 0 entries not understood\n"
    assert orjson.loads((pq_home / "meta.json").read_bytes())["meta"]["1"]["batches"] == before
    store = Store.open(pq_home, lock=False)
    assert sorted(b for p in store.papers.values() for b in p.batches) == [1, 1, 1, 2, 2]
    store.close()
    # Nothing to undo but the import before it (a note in the log).
    assert run(capsys, "undo")[1].startswith("undid: Imported y.bib")


def test_reimporting_a_deleted_batchs_file_shows_its_papers_again(two_batches, pq_home: Path, capsys) -> None:
    x, _y = two_batches
    assert run(capsys, "batch", "delete", "first")[0] == 0
    code, out, _ = run(capsys, "import", str(x))
    assert out.endswith(", 2 back from a deleted batch\n")
    assert len(titles(capsys)) == 4
    names = [b["name"] for b in json.loads(run(capsys, "batch", "list", "--format", "json")[1])]
    assert len(names) == 2 and names[1] == "second" and names[0].startswith("x.bib ")
    assert run(capsys, "undo")[1].startswith("undid: Imported x.bib")
    assert len(titles(capsys)) == 2


def test_undoing_a_restore_import_removes_the_papers_again(two_batches, tmp_path: Path, pq_home: Path, capsys) -> None:
    store = Store.open(pq_home)
    writer = Writer(store, History(pq_home))
    gamma = next(k for k, p in store.papers.items() if p.title.startswith("Gamma"))
    store.set_state(gamma, PaperState(removed=True))
    writer.record("Removed 1 paper", [(gamma, PaperState().to_record(), PaperState(removed=True).to_record())])
    writer.save()
    store.close()
    z = write(tmp_path, "z.bib", Y_BIB.replace("Delta paper at last", "Epsilon paper anew"))
    code, out, _ = run(capsys, "import", "--restore", str(z))
    assert ", 1 restored" in out
    assert "Gamma paper on more" in titles(capsys)
    run(capsys, "undo")
    assert "Gamma paper on more" not in titles(capsys)
    assert "Epsilon paper anew" not in titles(capsys)
