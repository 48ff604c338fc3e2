"""The "more like this" index: neighbours on a hand-made corpus, the cache file, edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqueue.core.similar import CACHE_NAME, Match, SimilarityIndex, open_index, tokens

DIFFUSION = {1, 2, 3}
RL = {4, 5, 6}
PROTEIN = {7, 8, 9}
TOPICS = [DIFFUSION, RL, PROTEIN]

CORPUS = [
    (1, "Denoising Diffusion Models for High-Resolution Image Synthesis",
     "We train a denoising diffusion model that generates high-resolution images. The diffusion "
     "process adds Gaussian noise to images and a U-Net learns to reverse the noising steps. "
     "Our sampler produces photorealistic images with fewer denoising steps and better FID."),
    (2, "Latent Diffusion for Text-to-Image Generation",
     "Latent diffusion runs the denoising process in the latent space of an autoencoder. "
     "Conditioning on text embeddings, the diffusion model generates images from prompts; "
     "classifier-free guidance improves image fidelity and sample quality (FID)."),
    (3, "Fast Samplers for Score-Based Diffusion",
     "Score-based diffusion models generate images by integrating a reverse stochastic "
     "differential equation. We derive a sampler that needs ten denoising steps, reducing the "
     "cost of image synthesis while keeping FID close to the thousand-step diffusion sampler."),
    (4, "Proximal Policy Optimization for Robotic Control",
     "We study policy gradient reinforcement learning for robot locomotion. The agent maximises "
     "reward with a clipped policy objective; the policy and value function are trained on "
     "rollouts from a simulator environment."),
    (5, "Offline Reinforcement Learning with Conservative Q-Functions",
     "Offline reinforcement learning trains an agent from a fixed dataset of environment "
     "transitions. A conservative Q-function penalises unseen actions so the learned policy "
     "does not exploit value overestimation; reward improves on locomotion benchmarks."),
    (6, "Exploration Bonuses for Sparse-Reward Agents",
     "Agents in sparse-reward environments rarely see a reward. We add an intrinsic exploration "
     "bonus to the reinforcement learning objective; the policy visits novel states and the agent "
     "solves hard-exploration Atari games."),
    (7, "Predicting Protein Structure from Amino Acid Sequences",
     "Protein folding determines function. Our network predicts the three-dimensional structure "
     "of a protein from its amino acid sequence and multiple sequence alignments, reaching "
     "atomic accuracy on residues of most folded domains."),
    (8, "Protein Language Models Learn Folding Constraints",
     "A language model trained on millions of protein sequences captures residue contacts. "
     "From its attention maps we recover the folded structure and predict amino acid mutations "
     "that stabilise the protein."),
    (9, "Ab Initio Folding of Small Proteins",
     "Molecular dynamics with a learned energy function folds small proteins. Starting from "
     "the amino acid sequence, the simulation reaches the native structure; residue contacts "
     "agree with crystal structures."),
    (10, "Sourdough Bread Fermentation Kinetics",
     "Wild yeast and lactic bacteria ferment sourdough; we measure dough rise and acidity "
     "across temperatures to time the bake."),
    (11, "Glacier Retreat in the Alps",
     "Satellite imagery of Alpine glaciers shows ice loss accelerating since 1990; meltwater "
     "runoff and moraine mapping quantify the retreat."),
]


@pytest.fixture(scope="module")
def index() -> SimilarityIndex:
    return SimilarityIndex.build(CORPUS, generation=7)


def topic_of(paper_id: int) -> set[int]:
    return next(t for t in TOPICS if paper_id in t)


@pytest.mark.parametrize("paper_id", sorted(DIFFUSION | RL | PROTEIN))
def test_nearest_neighbours_share_the_topic(index: SimilarityIndex, paper_id: int) -> None:
    found = index.similar_to(paper_id)
    assert found[0] == Match(paper_id, 1.0, found[0].words)
    assert {m.paper_id for m in found[1:3]} == topic_of(paper_id) - {paper_id}
    assert all(0.0 < m.score < 1.0 for m in found[1:])
    assert [m.score for m in found[1:]] == sorted((m.score for m in found[1:]), reverse=True)
    assert len({m.paper_id for m in found}) == len(found)


def test_words_explain_the_match(index: SimilarityIndex) -> None:
    for seed in DIFFUSION:
        assert all("diffusion" in m.words for m in index.similar_to(seed)[1:3])
    assert index.similar_to(2)[0].words == ("latent", "text", "diffusion", "image")  # its own heaviest terms
    assert all(1 <= len(m.words) <= 4 for m in index.similar_to(2))
    assert all("protein" in m.words for m in index.similar_to(7)[1:3])
    assert {"policy", "agent", "reward"} <= set(index.similar_to(4)[2].words)


def test_limit(index: SimilarityIndex) -> None:
    assert [m.paper_id for m in index.similar_to(1, limit=3)] == [m.paper_id for m in index.similar_to(1)[:3]]
    assert len(index.similar_to(1, limit=1)) == 1
    assert index.similar_to(1, limit=0) == []
    assert len(index.similar_to_many([4, 5], limit=2)) == 2


def test_unrelated_papers_score_nothing(index: SimilarityIndex) -> None:
    assert index.similar_to(10) == [index.similar_to(10)[0]]  # shares no term with anything
    assert 11 not in {m.paper_id for m in index.similar_to(1)}


def test_similar_to_many_ranks_the_topic_first(index: SimilarityIndex) -> None:
    found = index.similar_to_many([4, 5])
    assert found[0].paper_id == 6  # seeds excluded, the remaining RL paper first
    assert {4, 5}.isdisjoint(m.paper_id for m in found)
    assert found[0].words and set(found[0].words) & {"reinforcement", "agent", "reward", "policy", "environment"}
    assert index.similar_to_many([1, 7])[0].paper_id in (DIFFUSION | PROTEIN) - {1, 7}
    assert index.similar_to_many([4, 4, 999, 5]) == found  # duplicates and unknown ids ignored
    assert index.similar_to_many([]) == [] and index.similar_to_many([999]) == []


def test_unknown_id(index: SimilarityIndex) -> None:
    assert index.similar_to(12345) == []
    assert 12345 not in index and 1 in index and len(index) == len(CORPUS)


def test_deterministic_ties_by_paper_id() -> None:
    docs = [(5, "quantum annealing", ""), (3, "quantum annealing", ""), (9, "quantum annealing", ""), (1, "other", "")]
    index = SimilarityIndex.build(docs, 1)
    found = index.similar_to(9)
    assert [m.paper_id for m in found] == [9, 3, 5]
    assert found[1].score == found[2].score == pytest.approx(1.0, abs=1e-4)
    assert index.similar_to_many([5]) == index.similar_to_many([5])
    assert [m.paper_id for m in index.similar_to_many([5])] == [3, 9]
    again = SimilarityIndex.build(docs, 1)
    assert all(again.similar_to(p) == index.similar_to(p) for p in (1, 3, 5, 9))


def test_save_load_round_trip(index: SimilarityIndex, tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    index.save(path)
    loaded = SimilarityIndex.load(path)
    assert loaded is not None and loaded.generation == 7
    for paper_id in range(1, 13):
        assert loaded.similar_to(paper_id) == index.similar_to(paper_id)
    assert loaded.similar_to_many([4, 5]) == index.similar_to_many([4, 5])
    again = tmp_path / "again.bin"
    loaded.save(again)
    assert again.read_bytes() == path.read_bytes()


def test_bad_cache_files_load_as_none(index: SimilarityIndex, tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    assert SimilarityIndex.load(path) is None  # missing
    assert SimilarityIndex.load(tmp_path) is None  # a folder
    index.save(path)
    good = path.read_bytes()
    for bad in (b"", b"garbage" * 100, good[:20], good[:-1], good + b"x", good[:60] + b"\xff" + good[61:]):
        path.write_bytes(bad)
        assert SimilarityIndex.load(path) is None, bad[:80]
    flipped = bytearray(good)
    flipped[-5] ^= 0x01
    path.write_bytes(bytes(flipped))
    assert SimilarityIndex.load(path) is None


def test_consistent_checksum_but_bad_contents_loads_as_none(index: SimilarityIndex, tmp_path: Path) -> None:
    import struct
    import zlib

    from paperqueue.core import similar

    path = tmp_path / CACHE_NAME
    index.save(path)
    good = path.read_bytes()
    start = len(similar._MAGIC) + similar._HEADER.size
    fields = list(similar._HEADER.unpack_from(good, len(similar._MAGIC)))
    ndocs = fields[1]

    def write(body: bytes, **changes: int) -> SimilarityIndex | None:
        values = dict(zip(["generation", "docs", "terms", "entries", "vocab", "top_k", "crc"], fields))
        values.update(changes, crc=zlib.crc32(body))
        path.write_bytes(similar._MAGIC + similar._HEADER.pack(*values.values()) + body)
        return SimilarityIndex.load(path)

    body = good[start:]
    assert write(body) is not None  # the helper itself round-trips
    offsets = 8 * ndocs  # fwd_off[0] within the body (after the paper ids)
    bad_offset = body[: offsets + 4] + struct.pack("<I", 10**9) + body[offsets + 8 :]
    assert write(bad_offset) is None
    assert write(body, top_k=similar.TOP_K + 1) is None  # built with other settings
    assert write(body.replace(b"diffusion", b"diff\nsion")) is None  # vocabulary size mismatch
    path.write_bytes(good.replace(similar._MAGIC, b"PQSIM\x00\x02\n", 1))
    assert SimilarityIndex.load(path) is None  # another format version


def test_empty_corpus(tmp_path: Path) -> None:
    index = SimilarityIndex.build([], 3)
    assert len(index) == 0 and index.similar_to(1) == [] and index.similar_to_many([1]) == []
    index.save(tmp_path / "e.bin")
    loaded = SimilarityIndex.load(tmp_path / "e.bin")
    assert loaded is not None and loaded.generation == 3 and len(loaded) == 0


def test_single_paper_and_sparse_texts(tmp_path: Path) -> None:
    single = SimilarityIndex.build([(42, "Transformers", "")], 1)
    assert single.similar_to(42) == [Match(42, 1.0, ("transformer",))]
    assert single.similar_to_many([42]) == []
    empty = SimilarityIndex.build([(1, "", ""), (2, "A", None), (3, "Graph networks", "Graph neural networks.")], 1)  # type: ignore[list-item]
    assert empty.similar_to(1) == [Match(1, 1.0, ())]
    assert empty.similar_to(2) == [Match(2, 1.0, ())]
    assert [m.paper_id for m in empty.similar_to(3)] == [3]
    empty.save(tmp_path / "s.bin")
    assert SimilarityIndex.load(tmp_path / "s.bin").similar_to(1) == [Match(1, 1.0, ())]  # type: ignore[union-attr]


def test_repeated_id_keeps_first_text() -> None:
    index = SimilarityIndex.build([(1, "protein folding", ""), (1, "diffusion images", ""), (2, "protein structure", "")], 1)
    assert len(index) == 2 and [m.paper_id for m in index.similar_to(2)] == [2, 1]


def test_progress_is_reported() -> None:
    seen: list[int] = []
    docs = ((i, f"title {i}", "word " * 5) for i in range(1, 2501))
    SimilarityIndex.build(docs, 1, progress=seen.append)
    assert seen == [1000, 2000, 2500]


def test_tokens() -> None:
    assert tokens("The Café's NAÏVE policies, 2023 x 3D-models; classes & bias!") == [
        "cafe", "naive", "policy", "3d", "model", "class", "bias"]
    assert tokens("We propose a novel method and show results of this paper.") == []
    assert tokens("") == [] and tokens("ﬁne-tuning") == ["fine", "tuning"]


class FakeStore:
    def __init__(self, home: Path, generation: int) -> None:
        self.home, self.generation, self.read_only, self.reads = home, generation, False, 0

    def iter_details(self):
        self.reads += 1

        class P:
            def __init__(self, i: int, t: str) -> None:
                self.id, self.title = i, t

        class D:
            def __init__(self, a: str) -> None:
                self.abstract = a

        for i, t, a in CORPUS:
            yield P(i, t), D(a)


def test_open_index_uses_the_cache_until_the_generation_changes(tmp_path: Path) -> None:
    store = FakeStore(tmp_path, 4)
    first = open_index(store)
    assert store.reads == 1 and (tmp_path / CACHE_NAME).exists() and first.generation == 4
    assert open_index(store).similar_to(1) == first.similar_to(1) and store.reads == 1
    store.generation = 5
    assert open_index(store).generation == 5 and store.reads == 2
    (tmp_path / CACHE_NAME).write_bytes(b"junk")
    assert open_index(store).generation == 5 and store.reads == 3
    assert SimilarityIndex.load(tmp_path / CACHE_NAME) is not None  # rewritten
