"""For you in the app (5): the ranked view, its scores and sidebar row, cold
start, why-words in the reader, per tag, retraining after labels change,
a ranking kept when the person moved on, persistence, and a first paint that
loads nothing of the ranking."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

from pilot_helpers import list_lines, make_app, paper_list, queue_screen, settle, until, wait_loaded
from test_ranking import corpus, fill, label, topic

ROOT = Path(__file__).resolve().parents[1]


def keys_of(t: int, n: int) -> list[str]:
    return [f"arxiv:2401.{t}{i:04d}" for i in range(n)]


def learned_home(home: Path, tmp_path: Path) -> None:
    """Six diffusion papers starred, five bread papers read: enough to learn."""
    fill(home, tmp_path)
    states = {k: PaperState(starred=True) for k in keys_of(0, 6)}
    states |= {k: PaperState(read=True) for k in keys_of(3, 5)}
    label(home, states)


def sidebar_text(app) -> str:
    return str(queue_screen(app).query_one("#sidebar").render())


async def test_five_shows_unread_papers_ranked_with_their_scores(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        assert "5 For you" in sidebar_text(app)
        await pilot.press("5")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "foryou"
        rows = screen.queue.rows
        starred = set(keys_of(0, 6))
        assert not starred & {p.key for p in rows}, "positives are not ranked"
        assert all(not screen.queue.state(p).read for p in rows)
        assert [topic(p.key) for p in rows[:4]] == ["diffusion"] * 4, [p.title for p in rows[:6]]
        assert paper_list(app).cursor == 0, "the best paper first"
        lines = list_lines(app)
        assert lines[0].rstrip().endswith("%"), lines[0]
        first = int(lines[0].rstrip().rsplit(" ", 1)[1].rstrip("%"))
        last = int(lines[min(len(rows), len(lines)) - 1].rstrip().rsplit(" ", 1)[1].rstrip("%"))
        assert first > last
        assert str(paper_list(app).border_title).startswith("For you (")
        # The sidebar row counts the papers it ranks.
        row = next(line for line in sidebar_text(app).splitlines() if "For you" in line)
        assert row.split()[-1] == str(len(rows)), row
        assert screen.app.similarity is not None, "the m index is shared"


async def test_cold_start_says_how_many_stars_it_needs(pq_home: Path, tmp_path: Path) -> None:
    fill(pq_home, tmp_path)
    label(pq_home, {k: PaperState(starred=True) for k in keys_of(2, 2)})
    app = make_app(pq_home)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = queue_screen(app)
        title = screen.view_title(screen.queue.view)
        assert title == "For you: star 3 more papers to learn from; until then, closest to your stars"
        assert [topic(p.key) for p in screen.queue.rows[:5]] == ["protein"] * 5
        assert "for you because" not in str(screen.query_one("#reader-meta").render())


async def test_cold_start_without_stars_is_newest_first(pq_home: Path, tmp_path: Path) -> None:
    fill(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.view_title("foryou") == "For you: star 5 papers to learn from; until then, newest first"
        assert not list_lines(app)[0].rstrip().endswith("%"), "no scores to show"


async def test_the_reader_says_which_words_pushed_a_paper_up(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        meta = str(queue_screen(app).query_one("#reader-meta").render())
        line = next(line for line in meta.splitlines() if line.startswith("for you because: "))
        words = line.removeprefix("for you because: ").split(", ")
        assert words and set(words) <= set(corpus()[0]["abstract"].split()) | set(
            " ".join(p["title"] for p in corpus()).lower().split()), line
        assert any(w in "diffusion denoising sampler noise image synthesis latent guidance score unet" for w in words)
        await pilot.press("1")
        await settle(pilot)
        assert "for you because" not in str(queue_screen(app).query_one("#reader-meta").render())


async def test_per_tag_from_a_tag_view(pq_home: Path, tmp_path: Path) -> None:
    fill(pq_home, tmp_path)
    label(pq_home, {k: PaperState(tags=("prot",)) for k in keys_of(2, 6)}
          | {k: PaperState(starred=True) for k in keys_of(1, 6)})
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("T")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "tag:prot"
        await pilot.press("5")
        await settle(pilot)
        assert screen.queue.view == "foryou:prot"
        assert screen.view_title(screen.queue.view) == "For you: #prot"
        assert paper_list(app).cursor == 0, "entered: the best paper first"
        assert [topic(p.key) for p in screen.queue.rows[:4]] == ["protein"] * 4
        await pilot.press("5")  # again: For you over every label
        await settle(pilot)
        assert screen.queue.view == "foryou"


async def test_stars_in_the_view_retrain_it_after_a_pause(pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    from paperqueue.ui.screens import for_you

    monkeypatch.setattr(for_you, "RETRAIN_AFTER", 0.2)
    fill(pq_home, tmp_path)
    label(pq_home, {k: PaperState(starred=True) for k in keys_of(0, 4)})
    app = make_app(pq_home)
    async with app.run_test(size=(200, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = queue_screen(app)
        assert "star 1 more paper " in screen.view_title("foryou")
        plist = paper_list(app)
        await pilot.press("j", "j")
        here = plist.paper
        old = [p.key for p in screen.queue.rows]
        await pilot.press("s")
        await until(pilot, lambda: screen.view_title("foryou") == "For you", "a learned model after the fifth star")
        await settle(pilot)
        new = {p.key for p in screen.queue.rows}
        assert here.key not in new, "a new positive is no longer ranked"
        after = next(k for k in old[old.index(here.key) + 1:] if k in new)
        assert plist.paper.key == after, "the cursor goes on to the paper that followed it"
        assert list_lines(app)[0].rstrip().endswith("%")


async def test_labels_changed_during_a_training_show_the_second_trainings_ranking(
        pq_home: Path, tmp_path: Path, monkeypatch) -> None:
    """The first training (held in its fit until the second is asked for) is
    superseded: it ranks nothing and its result never reaches the screen."""
    import threading

    from paperqueue.core import ranking
    from paperqueue.ui.screens import for_you

    monkeypatch.setattr(for_you, "RETRAIN_AFTER", 0.05)
    trained: list = []
    ranked: list = []
    release = threading.Event()
    real_train, real_rank = ranking.train, ranking.Model.rank

    def held_train(store, progress=None, tag=None, index=None):  # noqa: ANN001, ANN202
        model = real_train(store, progress, tag=tag, index=index)
        trained.append(model)
        if len(trained) == 1:
            release.wait(30)  # a bound against hanging, not a timing
        return model

    def counted_rank(model, store):  # noqa: ANN001, ANN202
        ranked.append(model)
        return real_rank(model, store)

    monkeypatch.setattr(ranking, "train", held_train)
    monkeypatch.setattr(ranking.Model, "rank", counted_rank)
    learned_home(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await until(pilot, lambda: len(trained) == 1, "the first training")
        screen = queue_screen(app)
        await pilot.press("G")  # unranked yet: the last row is not a starred one
        starred = paper_list(app).paper.key
        assert not app.store.state(starred).starred
        await pilot.press("s")  # a new positive while the first still trains
        await until(pilot, lambda: screen._training.get("foryou") is not None
                    and starred in screen._training["foryou"].positive_keys, "the second training asked for")
        release.set()
        await until(pilot, lambda: screen._models.get("foryou") is not None, "a ranking shown")
        await settle(pilot)
        assert len(trained) == 2 and starred not in trained[0].positive_keys
        assert ranked == [trained[1]], "the superseded model ranked nothing"
        assert screen._models["foryou"] is trained[1]
        assert starred not in {p.key for p in screen.queue.rows}, "the new positive is no longer ranked"
        assert screen.view_title("foryou") == "For you"


async def test_a_ranking_done_elsewhere_is_kept_not_forced(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5", "2")
        await settle(pilot)
        screen = queue_screen(app)
        assert screen.queue.view == "starred", "never pulled back"
        await pilot.press("5")
        await pilot.pause()
        assert screen.queue.view == "foryou"
        assert [topic(p.key) for p in screen.queue.rows[:4]] == ["diffusion"] * 4, "kept for next time"


async def test_the_view_is_remembered(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("j", "j", "j")
        left_at = paper_list(app).paper.key
        await pilot.press("q")
    store = Store.open(pq_home)
    assert store.settings["view"] == "foryou"
    store.close()
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        screen = queue_screen(app)
        await until(pilot, lambda: screen.view_title("foryou") == "For you", "the ranking after a restart")
        await settle(pilot)
        assert screen.queue.view == "foryou"
        assert topic(screen.queue.rows[0].key) == "diffusion"
        assert paper_list(app).paper.key == left_at, "the remembered paper, not the top"


async def test_help_and_palette_list_five(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.ui.keys import KEY_HELP

    assert any(keys == "5" and "For you" in text for keys, text in KEY_HELP)
    fill(pq_home, tmp_path)
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("View: For you") for t in titles), titles


FIRST_PAINT = """
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from pilot_helpers import make_app, wait_loaded, settle

async def main():
    app = make_app(Path({home!r}))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        before = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy", "numpy") or m == "paperqueue.core.ranking")
        await pilot.press("5")
        await settle(pilot)
        after = "sklearn" in sys.modules
    print(json.dumps([before, after]))

asyncio.run(main())
"""


def test_opening_the_app_and_moving_loads_nothing_of_the_ranking(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    script = FIRST_PAINT.format(tests=str(ROOT / "tests"), home=str(pq_home))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert before == [], before
    assert after, "5 trains the model"


async def test_an_import_while_shown_ranks_the_new_papers(pq_home: Path, tmp_path: Path) -> None:
    learned_home(pq_home, tmp_path)
    more = [p for p in corpus(per_topic=16, seed=9) if int(p["key"][-4:]) >= 12]  # 4 new papers per topic
    path = tmp_path / "more.json"
    path.write_text(json.dumps(more))
    app = make_app(pq_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = queue_screen(app)
        before = len(screen.queue.rows)
        app.import_path(path)  # as i does
        await until(pilot, lambda: len(screen.queue.rows) == before + 16, "the new papers ranked")
        await settle(pilot)
        new = {p["key"] for p in more}
        top = [p.key for p in screen.queue.rows[:8]]
        assert [topic(k) for k in top] == ["diffusion"] * 8 and new & set(top), top
        assert all(k in screen.queue.scores for k in new), "scored by a model that knows them"
