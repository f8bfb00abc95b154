"""Weak pairs (under 1.0 on meetings alone) live in packed blocks; every other pair has a row."""
from datetime import date

import numpy as np
import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from entities.models import Entity
from scoring.engine import ScoringParameters, closeness_scores
from scoring.load import load_evidence
from scoring.models import LISTED_TENTHS, ClosenessSnapshot, PairScore, WeakPairBlock, WeakPairChange
from scoring.selectors import current_pair_scores, pair_for, pair_history
from scoring.services import recompute
from scoring.engine import pair_product
from scoring.engine.pair_product import changed_packed
from scoring.weak_pairs import (
    BUCKET_BITS, WeakPairs, _changes_by_bucket, _decode, _encode_by_bucket, _sorted_union, current_weak_pairs, packed, read_packed_weak_pairs, weak_pairs_replace,
)
from tests.factories import AttendanceFactory, EntityFactory, MeetingFactory, RelationshipFactory

AS_OF = date(2026, 6, 30)


@given(st.lists(st.tuples(st.integers(1, 2000), st.integers(2001, 2**31 - 1), st.integers(0, 9), st.integers(0, 100)), max_size=60,
                unique_by=lambda p: (p[0], p[1])), st.data())
def test_buckets_give_back_the_pairs_they_were_made_of(pairs, data):
    pairs = sorted(pairs)
    weak = WeakPairs(*(np.array([p[i] for p in pairs], dtype=np.int64 if i < 2 else np.int16) for i in range(4)))
    blocks = _encode_by_bucket(weak)
    assert len({bucket for bucket, _ in blocks}) == len(blocks)  # one block per bucket
    back = _decode([bucket for bucket, _ in blocks], [blob for _, blob in blocks])
    for field in ("a", "b", "score", "interaction"):
        assert getattr(back, field).tolist() == getattr(weak, field).tolist()
    # a scope of some of the pairs' entities, on either side, and ids of no pair
    ids = sorted({p[0] for p in pairs} | {p[1] for p in pairs} | {1, 2000, 3000})
    scope = set(data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=5)))
    touched = _decode([bucket for bucket, _ in blocks], [blob for _, blob in blocks], np.array(sorted(scope), dtype=np.int64))
    assert list(zip(touched.a.tolist(), touched.b.tolist(), touched.score.tolist(), touched.interaction.tolist())) == [
        p for p in pairs if p[0] in scope or p[1] in scope
    ]


@given(st.lists(st.tuples(st.integers(1, 300), st.integers(301, 2**31 - 1), st.integers(0, 9), st.integers(0, 100), st.booleans()),
                max_size=60, unique_by=lambda p: (p[0], p[1])))
def test_packing_a_selection_packs_just_those_pairs(pairs):
    pairs = sorted(pairs)
    a, b, score, interaction = (np.array([p[i] for p in pairs], dtype=np.int64 if i < 2 else np.int16) for i in range(4))
    selected = np.array([p[4] for p in pairs], dtype=bool)
    blocks = packed(a, b, score, interaction, selected)
    alone = WeakPairs(a[selected], b[selected], score[selected], interaction[selected])
    assert list(zip(blocks.buckets, blocks.blobs)) == _encode_by_bucket(alone)
    assert len(blocks) == int(selected.sum())


@given(st.lists(st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1), st.integers(0, 9), st.integers(0, 100), st.booleans()),
                max_size=80, unique_by=lambda p: (p[0], p[1])))
def test_the_union_of_two_sorted_sets_of_pairs_is_sorted_and_keeps_every_pair(pairs):
    def weak(selection):
        selection = sorted(p[:4] for p in selection)
        return WeakPairs(*(np.array([p[i] for p in selection], dtype=np.int64 if i < 2 else np.int16) for i in range(4)))

    union = _sorted_union(weak([p for p in pairs if p[4]]), weak([p for p in pairs if not p[4]]))

    assert list(zip(union.a.tolist(), union.b.tolist(), union.score.tolist(), union.interaction.tolist())) == sorted(p[:4] for p in pairs)
    assert union.score.dtype == np.int16 and union.a.dtype == np.int64


@pytest.mark.django_db
def test_every_pair_is_a_row_or_a_weak_pair_with_the_engines_scores(lakeside):
    recompute(as_of=AS_OF)
    scores = closeness_scores(load_evidence(), ScoringParameters(), AS_OF)
    engine = {
        pair: tuple(round(values[c] * 10) for c in ("score", "formal", "interaction", "financial", "analyst"))
        for pair, values in scores.as_dict().items()
    }

    assert current_pair_scores() == engine
    weak = current_weak_pairs()
    assert len(weak) > 0 and (weak.score < LISTED_TENTHS).all()
    rows = PairScore.objects.all()
    # a row scores 1.0 or more, or has relationship evidence
    assert not rows.filter(score_tenths__lt=LISTED_TENTHS, relationship_digest=0).exists()
    assert not any(scores.relationship_ids.get((a, b)) for a, b in zip(weak.a.tolist(), weak.b.tolist()))


@pytest.mark.django_db
def test_a_weak_pair_has_a_score_a_page_and_a_history(lakeside, client_as):
    recompute(as_of=date(2026, 5, 1))
    recompute(as_of=AS_OF)
    weak = current_weak_pairs()
    a, b = Entity.objects.get(pk=weak.a[0]), Entity.objects.get(pk=weak.b[0])

    pair = pair_for(a, b)
    assert pair.score_tenths == weak.score[0] and pair.formal_tenths == 0 and pair.relationship_ids == []
    history = pair_history(a, b)
    assert history[-1]["current"] and history[-1]["score"] == weak.score[0] / 10
    assert history[-1]["components"] == {"formal": 0.0, "interaction": weak.interaction[0] / 10, "financial": 0.0, "analyst": 0.0}
    assert [h["as_of"] for h in history] == sorted(h["as_of"] for h in history)
    page = client_as("city_staff").get(f"/closeness/{a.external_id}/{b.external_id}/")
    assert page.status_code == 200 and f"{weak.score[0] / 10:.1f}" in page.content.decode()


@pytest.mark.django_db
def test_weak_pair_history_grows_with_what_changed(lakeside):
    recompute(as_of=AS_OF)
    first = WeakPairChange.objects.count()
    assert first > 0

    again = recompute(as_of=AS_OF)

    assert again.pairs_changed == 0
    assert WeakPairChange.objects.count() == first  # nothing changed, nothing recorded
    later = recompute(as_of=date(2030, 1, 1))  # years of decay: weak pairs fade or vanish
    assert later.pairs_changed > 0
    assert WeakPairChange.objects.filter(snapshot=later).exists()


@pytest.mark.django_db
def test_a_full_recompute_rewrites_only_the_buckets_whose_weak_pairs_changed():
    bucket_size = 1 << BUCKET_BITS
    first = EntityFactory.create_batch(bucket_size * 2)  # at least one whole bucket of ids
    quiet = [e for e in first if e.pk >> BUCKET_BITS == first[-1].pk >> BUCKET_BITS]
    EntityFactory.create_batch(bucket_size - (first[-1].pk % bucket_size))
    busy = EntityFactory.create_batch(12)  # a later bucket
    assert {e.pk >> BUCKET_BITS for e in quiet}.isdisjoint({e.pk >> BUCKET_BITS for e in busy})

    def forum(present, day):
        meeting = MeetingFactory(type="community_forum", date=day)
        for entity in present:
            AttendanceFactory(meeting=meeting, entity=entity)

    def blocks():  # bucket -> where its row lies: a rewritten row moves
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT bucket, ctid::text FROM {WeakPairBlock._meta.db_table}")
            return dict(cursor.fetchall())

    forum(quiet + busy[:2], date(2026, 1, 10))
    recompute(as_of=AS_OF)
    blocks_before = blocks()
    quiet_bucket = quiet[0].pk >> BUCKET_BITS
    assert quiet_bucket in blocks_before

    forum(busy, date(2026, 2, 10))  # only pairs in the busy entities' buckets change
    later = recompute(as_of=AS_OF)

    blocks_after = blocks()
    assert later.pairs_changed > 0
    assert blocks_after[quiet_bucket] == blocks_before[quiet_bucket]  # the same row: not rewritten
    changed_buckets = set(WeakPairChange.objects.filter(snapshot=later).values_list("bucket", flat=True))
    assert changed_buckets and quiet_bucket not in changed_buckets
    assert changed_buckets == {b for b in blocks_after if blocks_after[b] != blocks_before.get(b)}


@pytest.mark.django_db
def test_replacing_the_weak_pairs_records_exactly_what_changed_in_buckets_kept_new_and_gone():
    size = 1 << BUCKET_BITS

    def pairs(*rows):  # (a, b, score, interaction), sorted
        rows = sorted(rows)
        return WeakPairs(*(np.array([r[i] for r in rows], dtype=np.int64 if i < 2 else np.int16) for i in range(4)))

    def stored(weak):
        return packed(weak.a, weak.b, weak.score, weak.interaction, np.ones(len(weak), bool))

    kept, gone, new, same = 0, size, 2 * size, 3 * size  # the first entity of four buckets
    first = pairs((kept + 1, 900, 5, 6), (kept + 2, 901, 3, 4), (gone + 1, 902, 2, 2), (same + 1, 903, 7, 9))
    second = pairs((kept + 1, 900, 6, 8), (kept + 3, 904, 1, 1), (new + 5, 905, 4, 5), (same + 1, 903, 7, 9))
    snapshots = [ClosenessSnapshot.objects.create(as_of=AS_OF, parameters={}) for _ in range(2)]
    weak_pairs_replace(snapshot=snapshots[0], old=read_packed_weak_pairs(), new=stored(first))

    changed, net = weak_pairs_replace(snapshot=snapshots[1], old=read_packed_weak_pairs(), new=stored(second))

    now = current_weak_pairs()
    assert list(zip(now.a.tolist(), now.b.tolist(), now.score.tolist(), now.interaction.tolist())) == [
        (kept + 1, 900, 6, 8), (kept + 3, 904, 1, 1), (new + 5, 905, 4, 5), (same + 1, 903, 7, 9)
    ]
    records = WeakPairChange.objects.filter(snapshot=snapshots[1]).order_by("bucket")
    recorded = _decode([r.bucket for r in records], [bytes(r.pairs) for r in records])
    assert list(zip(recorded.a.tolist(), recorded.b.tolist(), recorded.score.tolist(), recorded.interaction.tolist())) == [
        (kept + 1, 900, 6, 8), (kept + 2, 901, 0, 0), (kept + 3, 904, 1, 1), (gone + 1, 902, 0, 0), (new + 5, 905, 4, 5)
    ]
    assert (changed, net) == (5, 0)
    assert same >> BUCKET_BITS not in {r.bucket for r in records}


@pytest.mark.django_db
def test_an_incremental_recompute_keeps_the_other_weak_pairs_of_a_block_it_adds_to():
    """A person joins an organisation: the organisation now meets, through them, an entity outside
    the recompute's scope, whose bucket held no pair touching the scope until then."""
    a = EntityFactory()
    bucket_size = 1 << BUCKET_BITS
    EntityFactory.create_batch(bucket_size - (a.pk % bucket_size))  # the others fall in the next bucket of ids
    organisation = EntityFactory(kind="police_department")
    member, other = EntityFactory(), EntityFactory()
    assert a.pk >> BUCKET_BITS != organisation.pk >> BUCKET_BITS
    RelationshipFactory(source=a, target=member, type="personal")  # (a, member) is a row, not weak

    def forum(*present):
        meeting = MeetingFactory(type="community_forum", date=date(2026, 5, 1))
        for entity in [*present, *EntityFactory.create_batch(10)]:
            AttendanceFactory(meeting=meeting, entity=entity)

    forum(a, other)
    forum(a, member)
    recompute(as_of=AS_OF)
    assert (a.pk, other.pk) in current_pair_scores() and (a.pk, organisation.pk) not in current_pair_scores()

    RelationshipFactory(source=member, target=organisation, type="member_of")
    recompute(as_of=AS_OF, entity_scope={member.pk, organisation.pk})
    after_incremental = current_pair_scores()
    recompute(as_of=AS_OF)

    assert (a.pk, organisation.pk) in after_incremental  # the new weak pair, in a's block
    assert (a.pk, other.pk) in after_incremental  # and a's other weak pairs stayed
    assert after_incremental == current_pair_scores()


bucketed_pair_sets = st.dictionaries(
    st.tuples(st.integers(0, 95), st.integers(96, 2**31 - 1)), st.tuples(st.integers(1, 9), st.integers(1, 100)), max_size=40
)


def _weak(pairs: dict) -> WeakPairs:
    keys = sorted(pairs)
    return WeakPairs(np.array([a for a, _ in keys], np.int64), np.array([b for _, b in keys], np.int64),
                     np.array([pairs[k][0] for k in keys], np.int16), np.array([pairs[k][1] for k in keys], np.int16))


def _expected_changes(old: dict, new: dict) -> dict:
    expected = {key: values for key, values in new.items() if old.get(key) != values}
    expected.update({key: (0, 0) for key in old if key not in new})
    return expected


@given(old=bucketed_pair_sets, new=bucketed_pair_sets)
def test_changed_pairs_are_the_new_or_different_ones_and_the_vanished_with_zeros(old, new):
    """Three buckets of 32 entities, compared as packed."""
    weak = _weak

    def by_bucket(pairs):  # every bucket 0..2, empty or not
        blocks = dict(_encode_by_bucket(weak(pairs)))
        blobs = [blocks.get(bucket, b"") for bucket in range(3)]
        bounds = np.cumsum([0] + [len(blob) // 7 for blob in blobs])
        return np.frombuffer(b"".join(blobs), np.uint8), bounds

    data, bounds = changed_packed(*by_bucket(old), *by_bucket(new))
    buckets = [b for b in range(3) if bounds[b + 1] > bounds[b]]
    found = _decode(buckets, [data[bounds[b] * 7 : bounds[b + 1] * 7].tobytes() for b in buckets])
    expected = _expected_changes(old, new)
    assert list(zip(found.a.tolist(), found.b.tolist())) == sorted(expected)
    assert list(zip(found.score.tolist(), found.interaction.tolist())) == [expected[key] for key in sorted(expected)]


@given(old=bucketed_pair_sets, new=bucketed_pair_sets)
def test_change_records_by_bucket_are_the_pairs_that_differ_in_buckets_kept_new_and_gone(old, new):
    """The records a recompute stores, bucket by bucket, as the blocks give them (a bucket with no
    weak pairs has no block): a new bucket's records are its block as it is."""
    changes = _changes_by_bucket(dict(_encode_by_bucket(_weak(old))), dict(_encode_by_bucket(_weak(new))))
    found = _decode(sorted(changes), [changes[b] for b in sorted(changes)])
    expected = _expected_changes(old, new)
    assert list(zip(found.a.tolist(), found.b.tolist())) == sorted(expected)
    assert list(zip(found.score.tolist(), found.interaction.tolist())) == [expected[key] for key in sorted(expected)]
    assert sorted(changes) == sorted({a >> BUCKET_BITS for a, _ in expected})  # just the buckets that changed


@pytest.mark.django_db
def test_recomputes_after_the_warm_up_compile_no_kernel():
    """`warm_up` (what `make install` and the image build run) covers every argument type the
    recomputes pass the kernels, the read-only stored blocks included: otherwise the first
    recompute on a new installation compiles the missing ones (seconds each). With compiling
    switched off, a call needing a new one fails."""
    from numba.core.registry import CPUDispatcher

    people = EntityFactory.create_batch(14)
    RelationshipFactory(source=people[0], target=people[1], type="personal")
    forum = MeetingFactory(type="community_forum", date=date(2026, 5, 1))
    for person in people:
        AttendanceFactory(meeting=forum, entity=person)
    # (those only called from other kernels, compiled into them, have no signatures of their own)
    kernels = [k for k in vars(pair_product).values() if isinstance(k, CPUDispatcher) and k.signatures]
    assert len(kernels) >= 9
    for kernel in kernels:
        kernel.disable_compile()
    try:
        recompute(as_of=AS_OF)  # from empty
        assert WeakPairBlock.objects.exists()
        private = MeetingFactory(type="private_meeting", date=date(2026, 6, 1))
        for person in people[2:4]:
            AttendanceFactory(meeting=private, entity=person)
        recompute(as_of=AS_OF, entity_scope={people[2].pk, people[3].pk})  # reads the blocks touching them
        recompute(as_of=date(2027, 6, 30))  # a year on: every weak pair's score changes, compared as stored
    finally:
        for kernel in kernels:
            kernel.disable_compile(False)
    assert WeakPairChange.objects.values("snapshot").distinct().count() == 3


@pytest.mark.django_db
def test_weak_pair_blocks_are_stored_without_compression():
    """Migration 0005 sets STORAGE EXTERNAL: packed pairs do not compress, and PostgreSQL trying
    on every block made writing them five times slower (1.3 s against 0.13 s for 625 blocks)."""
    if connection.vendor != "postgresql":
        pytest.skip("column storage is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstorage FROM pg_attribute WHERE attname = 'pairs' "
            "AND attrelid IN ('scoring_weakpairblock'::regclass, 'scoring_weakpairchange'::regclass)"
        )
        assert sorted(cursor.fetchall()) == [("scoring_weakpairblock", "e"), ("scoring_weakpairchange", "e")]
