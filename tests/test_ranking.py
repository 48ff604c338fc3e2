"""For you: labels from the person's states, cold start, the learned order, why-words, retraining."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from paperqueue.cli import main
from paperqueue.core.models import PaperState
from paperqueue.core.store import Store

TOPICS = {
    "diffusion": "diffusion denoising sampler noise image synthesis latent guidance score unet",
    "rl": "reinforcement policy reward agent environment exploration actor critic rollout",
    "protein": "protein folding residue amino sequence structure enzyme binding molecular",
    "bread": "sourdough yeast dough fermentation crust oven flour bake starter",
}
FILLER = "data training evaluation network learning benchmark performance task results analysis".split()


def corpus(per_topic: int = 12, seed: int = 3) -> list[dict]:
    """Papers with a clear topic each: key arxiv:2401.TNNNN (T = topic number)."""
    rng = random.Random(seed)
    papers = []
    for t, (name, words) in enumerate(TOPICS.items()):
        vocab = words.split()
        for i in range(per_topic):
            body = rng.choices(vocab, k=30) + rng.choices(FILLER, k=20)
            rng.shuffle(body)
            title = " ".join(rng.sample(vocab, 3) + rng.sample(FILLER, 1)).capitalize()
            number = f"2401.{t}{i:04d}"
            papers.append({"key": f"arxiv:{number}", "arxiv_id": number, "title": title, "abstract": " ".join(body)})
    return papers


def topic(key: str) -> str:
    return list(TOPICS)[int(key.split(".")[1][0])]


def fill(home: Path, tmp_path: Path, papers: list[dict] | None = None, name: str = "papers.json") -> None:
    path = tmp_path / name
    path.write_text(json.dumps(papers if papers is not None else corpus()))
    assert main(["import", str(path)]) == 0


def label(home: Path, states: dict[str, PaperState]) -> None:
    store = Store.open(home)
    try:
        for key, state in states.items():
            store.set_state(key, state)
        store.flush()
    finally:
        store.close()


def keys_of(name: str, n: int, start: int = 0) -> list[str]:
    t = list(TOPICS).index(name)
    return [f"arxiv:2401.{t}{i:04d}" for i in range(start, start + n)]


STAR = PaperState(starred=True)
READ = PaperState(read=True)


def test_cold_start_with_nothing_starred_ranks_by_recency(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        ranked = model.rank(store)
        assert model.kind == "recency" and model.needs == 5
        assert [s.paper.key for s in ranked] == [p.key for p in store.ordered_papers()]


def test_cold_start_with_two_stars_ranks_by_similarity(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("protein", 2)})
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        ranked = model.rank(store)
    assert model.kind == "similar" and model.needs == 3
    assert {s.paper.key for s in ranked}.isdisjoint(keys_of("protein", 2))  # already starred
    assert len(ranked) == 48 - 2
    assert {topic(s.paper.key) for s in ranked[:10]} == {"protein"}
    assert all(0.0 <= s.score <= 1.0 for s in ranked)


def test_learned_ranking_puts_the_starred_topic_first(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    states = {k: STAR for k in keys_of("rl", 5)}
    states |= {k: READ for k in keys_of("bread", 4)}
    states[keys_of("rl", 1, start=5)[0]] = PaperState(note="good one")
    states[keys_of("rl", 1, start=6)[0]] = PaperState(tags=("agents",))
    states[keys_of("diffusion", 1)[0]] = PaperState(removed=True)
    label(pq_home, states)
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        ranked = model.rank(store)
    assert model.kind == "learned" and model.needs == 0
    assert (model.positives, model.negatives) == (7, 5)
    shown = [s.paper.key for s in ranked]
    assert set(shown).isdisjoint(states)  # read, removed, starred, noted, tagged: not in the list
    assert len(shown) == 48 - len(states)
    assert {topic(k) for k in shown[:5]} == {"rl"}  # the 5 unlabelled rl papers lead
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert all(0.0 <= s.score <= 1.0 for s in ranked)
    assert ranked[0].score > ranked[-1].score


def test_why_words_come_from_the_liked_topic_and_the_paper(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("rl", 6)} | {k: READ for k in keys_of("bread", 6)})
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        best = model.rank(store)[0]
        words = model.why(best.paper, n=3)
        abstract = store.details(best.paper.key).abstract + " " + best.paper.title
    assert 1 <= len(words) <= 3
    assert set(words) <= set(TOPICS["rl"].split())
    assert all(w in abstract.lower() for w in words)
    bread = model.why(store.papers[keys_of("bread", 1, start=8)[0]])
    assert not set(bread) & set(TOPICS["bread"].split())  # what it is about pulls a bread paper down


def test_per_tag_ranking_uses_the_tag_as_positives(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    states = {k: PaperState(tags=("Proteins",)) for k in keys_of("protein", 5)}
    states |= {k: STAR for k in keys_of("rl", 6)}
    label(pq_home, states)
    with Store.open(pq_home, lock=False) as store:
        model = train(store, tag="#proteins")
        ranked = model.rank(store)
    assert model.kind == "learned" and model.tag == "proteins"
    assert {topic(s.paper.key) for s in ranked[:5]} == {"protein"}


def test_retraining_after_new_labels_and_imports(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import needs_training, train

    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("rl", 5)})
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        assert not needs_training(model, store)
    label(pq_home, {keys_of("rl", 1, start=7)[0]: STAR})  # one more star: retrain
    with Store.open(pq_home, lock=False) as store:
        assert needs_training(model, store)
        model = train(store)
        assert not needs_training(model, store)
    label(pq_home, {keys_of("bread", 1)[0]: READ})  # one read mark: not yet
    with Store.open(pq_home, lock=False) as store:
        assert not needs_training(model, store)
    label(pq_home, {k: READ for k in keys_of("bread", 5, start=1)})  # six: retrain
    with Store.open(pq_home, lock=False) as store:
        assert needs_training(model, store)
        model = train(store)
    more = [{**p, "key": p["key"].replace("2401", "2402"), "arxiv_id": p["arxiv_id"].replace("2401", "2402")}
            for p in corpus(per_topic=1, seed=9)]
    fill(pq_home, tmp_path, more, name="more.json")  # an import: new papers to score
    with Store.open(pq_home, lock=False) as store:
        assert needs_training(model, store)
        ranked = train(store).rank(store)
    new_rl = next(s for s in ranked if s.paper.key == "arxiv:2402.10000")
    assert new_rl in ranked[:7] and new_rl.score > 0.5


def test_ranking_cache_is_rebuilt_when_damaged(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train
    from paperqueue.core.similar import CACHE_NAME

    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("rl", 5)})
    with Store.open(pq_home) as store:
        first = [s.paper.key for s in train(store).rank(store)]
    cache = pq_home / CACHE_NAME
    assert cache.exists()
    cache.write_bytes(cache.read_bytes()[:100] + b"garbage")
    with Store.open(pq_home) as store:
        assert [s.paper.key for s in train(store).rank(store)] == first


# -- the command line ---------------------------------------------------------


def test_list_for_you_json_table_md(pq_home: Path, tmp_path: Path, capsys) -> None:
    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("diffusion", 5)} | {k: READ for k in keys_of("bread", 5)})
    capsys.readouterr()
    assert main(["list", "--for-you", "--limit", "4", "--format", "json"]) == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)
    assert out.err == ""
    assert len(rows) == 4 and {topic(r["key"]) for r in rows} == {"diffusion"}
    assert all(0 <= r["score"] <= 1 for r in rows) and rows[0]["score"] >= rows[-1]["score"]
    assert rows[0]["abstract"]
    assert main(["list", "--for-you", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0].endswith("%") and rows[0]["arxiv_id"] in lines[0] and rows[0]["title"] in lines[0]
    assert main(["list", "--for-you", "--limit", "1", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith(f"- [ ] [{rows[0]['title']}](https://arxiv.org/abs/{rows[0]['arxiv_id']})")
    assert md.rstrip().endswith("%")


def test_list_for_you_cold_start_says_so(pq_home: Path, tmp_path: Path, capsys) -> None:
    fill(pq_home, tmp_path)
    label(pq_home, {keys_of("rl", 1)[0]: STAR})
    capsys.readouterr()
    assert main(["list", "--for-you", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert out.err.strip() == (
        "paperqueue: For you needs 4 more starred papers to learn from; until then: the closest to your stars"
    )
    rows = json.loads(out.out)
    assert len(rows) == 47 and topic(rows[0]["key"]) == "rl"


def test_list_for_you_on_an_empty_queue(capsys) -> None:
    assert main(["list", "--for-you"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and "needs 5 more starred papers" in out.err


def test_start_up_and_core_imports_do_not_load_sklearn() -> None:
    code = (
        "import sys\nimport paperqueue.ui.app, paperqueue.core.ranking, paperqueue.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'numpy')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_labels_and_the_queue_count_the_same_positives() -> None:
    """For you's sidebar count (queue.liked) and the model's positives (labels) agree
    on every combination of star, read, tag, note and removed."""
    from itertools import product

    from paperqueue.core.views import liked
    from paperqueue.core.ranking import labels

    states = {
        f"k{i}": PaperState(starred=s, read=r, tags=t, note=n, removed=x)
        for i, (s, r, t, n, x) in enumerate(product((False, True), (False, True), ((), ("a",)), ("", " ", "x"), (False, True)))
    }
    positive, negative = labels(states)
    assert positive == {k for k, s in states.items() if liked(s)}
    assert not positive & negative


def test_per_tag_ranking_leaves_out_starred_papers(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    tagged = keys_of("protein", 5)
    starred = keys_of("rl", 6) + keys_of("protein", 2, start=5)  # two starred protein papers, not tagged
    label(pq_home, {k: PaperState(tags=("proteins",)) for k in tagged} | {k: STAR for k in starred})
    with Store.open(pq_home, lock=False) as store:
        model = train(store, tag="proteins")
        shown = [s.paper.key for s in model.rank(store)]
    assert model.kind == "learned"
    assert set(shown).isdisjoint(starred) and set(shown).isdisjoint(tagged)
    assert len(shown) == 48 - len(tagged) - len(starred)
    assert {topic(k) for k in shown[:5]} == {"protein"}  # the 5 protein papers neither tagged nor starred


def test_each_interest_gets_its_own_model(pq_home: Path, tmp_path: Path) -> None:
    """Many rl stars and a few protein ones: both interests lead the list, the
    protein papers are explained by protein words, a lone bread star gets no model."""
    from paperqueue.core.ranking import _matrix, train
    from paperqueue.core.ranking_fit import groups

    fill(pq_home, tmp_path)
    states = {k: STAR for k in keys_of("rl", 8)} | {k: STAR for k in keys_of("protein", 2)}
    states[keys_of("bread", 1)[0]] = STAR
    states |= {k: READ for k in keys_of("diffusion", 6)}
    label(pq_home, states)
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        ranked = model.rank(store)
        index = model.index
        rows = {k: index._row[store.papers[k].id] for k in states if states[k].starred}
        found = groups(_matrix(index), sorted(rows.values()))
        protein = next(s.paper for s in ranked if topic(s.paper.key) == "protein")
        words = model.why(protein, n=3)
    by_topic = sorted(sorted(topic(k) for k, r in rows.items() if r in g) for g in found)
    assert by_topic == [["protein"] * 2, ["rl"] * 8]
    assert model.fitted is not None and model.fitted.weights.shape[0] == 3  # all stars, rl, protein
    assert {topic(s.paper.key) for s in ranked[:14]} == {"rl", "protein"}  # 4 rl + 10 protein left unlabelled
    assert words and set(words) <= set(TOPICS["protein"].split())


def test_a_limited_ranking_is_the_start_of_the_whole_one(pq_home: Path, tmp_path: Path) -> None:
    from paperqueue.core.ranking import train

    fill(pq_home, tmp_path)
    label(pq_home, {k: STAR for k in keys_of("rl", 6)} | {k: READ for k in keys_of("bread", 6)})
    with Store.open(pq_home, lock=False) as store:
        model = train(store)
        whole = model.rank(store)
        assert model.rank(store, limit=7) == whole[:7]
        assert model.rank(store, limit=0) == []
