"""The generic engine: calendar, buckets, FIFO queues and random streams."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numba as nb
import numpy as np
import pytest
from scipy import stats

from immsim.engine import buckets as bk
from immsim.engine import fifo, servers
from immsim.engine.calendar import cancel, new_calendar, schedule, take_day
from immsim.engine.jit import _WideDispatcher
from immsim.engine.reserve import lengthen, new_rows
from immsim.engine.rng import duration, pick_cumulative, pick_weighted, reseed, round_random, stream_seed
from immsim.engine.unowned import unowned


def test_calendar_returns_people_of_a_day_in_scheduling_order_once():
    cal = new_calendar(10, 8)
    for p, day in [(0, 3), (1, 5), (2, 3), (3, 3), (4, 11)]:
        schedule(cal, p, day)
    assert list(take_day(cal, 3)) == [0, 2, 3]
    assert list(take_day(cal, 3)) == []
    assert list(take_day(cal, 5)) == [1]
    assert cal.when[4] == 11  # past the horizon: recorded, never fires
    assert all(len(take_day(cal, d)) == 0 for d in range(11))


def test_calendar_cancel_unlinks_first_middle_last_and_past_the_horizon():
    cal = new_calendar(10, 8)
    for p, day in [(0, 3), (1, 3), (2, 3), (3, 3), (4, 3), (5, 11), (6, 4)]:
        schedule(cal, p, day)
    for p in (2, 0, 4, 5):  # middle, last in the list (scheduled first), first in the list, past the horizon
        cancel(cal, p)
        assert cal.when[p] == -1
    cancel(cal, 7)  # nothing pending: nothing happens
    schedule(cal, 2, 4)  # a cancelled person can be scheduled again
    assert list(take_day(cal, 3)) == [1, 3]
    assert list(take_day(cal, 4)) == [6, 2]
    assert (cal.when == -1).all()


def test_buckets_grow_keep_members_and_remove_swaps():
    b = bk.new_buckets(3, 1000, initial_cap=2)
    for p in range(50):
        b = bk.add(b, p % 3, p)
    assert list(b.size) == [17, 17, 16]
    for k in range(3):
        members = set(b.store[b.start[k] : b.start[k] + b.size[k]])
        assert members == {p for p in range(50) if p % 3 == k}
    bk.remove(b, 3)
    bk.remove(b, 48)
    assert b.size[0] == 15 and b.bucket[3] == -1 and b.slot[48] == -1
    assert set(b.store[b.start[0] : b.start[0] + b.size[0]]) == {p for p in range(50) if p % 3 == 0} - {3, 48}


@nb.njit(cache=True)
def _picks(b, k, n, seed):
    np.random.seed(seed)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = bk.pick(b, k)
    return out


def test_bucket_pick_is_uniform():
    b = bk.new_buckets(1, 100)
    for p in range(10):
        b = bk.add(b, 0, p)
    counts = np.bincount(_picks(b, 0, 20_000, 3), minlength=10)
    # chi-square goodness of fit to the uniform law, 9 degrees of freedom
    assert stats.chisquare(counts).pvalue > 0.001


def test_rows_grow_in_place_within_their_reserve_and_are_copied_past_it():
    a = new_rows(4, np.int32, -1, reserve=10)
    a[:] = [5, 6, 7, 8]
    b = lengthen(a, 9, -1)
    assert list(b) == [5, 6, 7, 8, -1, -1, -1, -1, -1]
    assert b.ctypes.data == a.ctypes.data  # the same memory, longer: nothing copied
    c = lengthen(b, 12, -1, reserve=20)  # past the reserve: a copy, with room for 20
    assert list(c) == [*b, -1, -1, -1] and not np.shares_memory(c, b)
    assert lengthen(c, 20, -1).ctypes.data == c.ctypes.data
    # one fill per field of a structured table; fields left out start at 0
    rec = new_rows(2, np.dtype([("x", np.int8), ("y", np.float64)]), {"x": -1}, reserve=5)
    rec["y"] = 2.5
    longer = lengthen(rec, 4, {"x": -1})
    assert longer["x"].tolist() == [-1] * 4 and longer["y"].tolist() == [2.5, 2.5, 0.0, 0.0]
    plain = np.arange(3)  # an array with no reserve is copied
    assert list(lengthen(plain, 5, 7)) == [0, 1, 2, 7, 7]


def test_a_reserve_the_system_refuses_is_not_needed(monkeypatch):
    real = np.zeros

    def refuse_large(n, dtype=float):
        if n > 100:
            raise MemoryError
        return real(n, dtype)

    monkeypatch.setattr(np, "zeros", refuse_large)
    a = new_rows(50, np.int64, -1, reserve=1000)
    assert a.shape == (50,) and (a == -1).all()
    assert list(lengthen(a, 52, 3)[-3:]) == [-1, 3, 3]
    with pytest.raises(MemoryError):
        new_rows(500, np.int64, -1)


def test_fifo_order():
    items, ends = fifo.new_fifo(5)
    for p in (4, 2, 9):
        fifo.push(items, ends, p)
    assert fifo.pop(items, ends) == 4
    assert fifo.length(ends) == 2
    assert list(items[ends[0] : ends[1]]) == [2, 9]


def test_fifo_push_front_makes_the_member_next_with_or_without_room_before_the_head():
    items, ends = fifo.new_fifo(5)
    for p in (4, 2, 9):
        fifo.push(items, ends, p)
    fifo.push_front(items, ends, 7)  # head at 0: the members shift back
    assert list(items[ends[0] : ends[1]]) == [7, 4, 2, 9]
    assert fifo.pop(items, ends) == 7 and fifo.pop(items, ends) == 4
    fifo.push_front(items, ends, 4)  # room before the head
    assert list(items[ends[0] : ends[1]]) == [4, 2, 9]
    fifo.push(items, ends, 1)
    assert [fifo.pop(items, ends) for _ in range(4)] == [4, 2, 9, 1]


def test_a_job_kind_of_no_length_ends_at_once_even_when_servers_have_no_time():
    # a mean service of inf (no hearing time) times a scale of 0 must not give NaN end times
    st = servers.new_station(2, 2, np.inf)
    servers.set_kind_scale(st, 2, 0.0)
    kinds = np.array([2, 0], np.int8)
    hi, hi_ends = fifo.new_fifo(4)
    lo, lo_ends = fifo.new_fifo(4)
    servers.arrive(st, hi, hi_ends, lo, lo_ends, kinds, 0, False, 1.0)
    servers.arrive(st, hi, hi_ends, lo, lo_ends, kinds, 1, False, 1.0)
    assert servers.next_completion(st, hi, hi_ends, lo, lo_ends, kinds, 2.0) == 0
    assert list(st.last) == [1.0, 1.0]
    assert servers.next_completion(st, hi, hi_ends, lo, lo_ends, kinds, 1e9) == -1  # kind 0: never ends
    assert not np.isnan(st.heap_time).any()


def test_fifo_insert_near_head_keeps_the_members_in_key_order():
    key = np.array([0.0, 5.0, 1.0, 3.0, 4.0, 2.0])
    items, ends = fifo.new_fifo(6)
    for p in (3, 4, 1):  # keys 3, 4, 5
        fifo.push(items, ends, p)
    fifo.insert_near_head(items, ends, 5, key)  # key 2: at the head
    fifo.insert_near_head(items, ends, 0, key)  # key 0: at the head
    assert fifo.pop(items, ends) == 0
    fifo.insert_near_head(items, ends, 2, key)  # key 1: behind nothing smaller
    fifo.pop(items, ends)
    fifo.pop(items, ends)
    fifo.insert_near_head(items, ends, 2, key)  # key 1 again, room before the head
    assert list(items[ends[0] : ends[1]]) == [2, 3, 4, 1]


@nb.njit(cache=True)
def _durations(mean, n, seed):
    reseed(seed, 0, 0)
    out = np.empty(n)
    for i in range(n):
        out[i] = duration(mean)
    return out


@nb.njit(cache=True)
def _rounds(x, n, seed):
    reseed(seed, 1, 0)
    total = 0
    for _ in range(n):
        total += round_random(x)
    return total


def test_duration_has_the_geometric_mean():
    n, mean = 100_000, 20.0
    d = _durations(mean, n, 7)
    sd = np.sqrt((1 - 1 / mean) / (1 / mean) ** 2)  # geometric standard deviation
    assert d.min() >= 1
    assert abs(d.mean() - mean) < 4 * sd / np.sqrt(n)


def test_round_random_is_unbiased():
    n, x = 100_000, 3.3
    total = _rounds(x, n, 11)
    sd = np.sqrt(n * 0.3 * 0.7)  # Bernoulli(0.3) fractional part
    assert abs(total - n * x) < 4 * sd


def test_streams_differ_by_seed_stream_and_day_and_repeat():
    seeds = {stream_seed(s, k, d) for s in range(3) for k in range(3) for d in range(3)}
    assert len(seeds) == 27
    assert stream_seed(5, 2, 100) == stream_seed(5, 2, 100)


def test_bucket_growth_moves_one_bucket_and_keeps_memory_within_a_factor():
    b = bk.new_buckets(50, 200_000, initial_cap=4)
    rng = np.random.default_rng(1)
    members = {k: [] for k in range(50)}
    for p, k in enumerate(rng.integers(0, 50, 100_000)):
        b = bk.add(b, int(k), p)
        members[int(k)].append(p)
    for k, ps in members.items():
        assert sorted(b.store[b.start[k] : b.start[k] + b.size[k]]) == ps
    # buckets at most double past their size, abandoned slices at most as large again, the store at most doubles
    assert b.store.shape[0] <= 8 * 100_000
    slices = sorted((int(b.start[k]), int(b.start[k] + b.cap[k])) for k in range(50))
    assert all(a[1] <= c[0] for a, c in zip(slices, slices[1:], strict=False))  # slices never overlap


@nb.njit
def _weighted_picks(weights, total, n, seed, cumulative):
    np.random.seed(seed)
    cum = np.cumsum(weights)
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = pick_cumulative(cum, total) if cumulative else pick_weighted(weights, total)
    return out


def test_cumulative_pick_gives_the_same_index_as_the_scan_for_the_same_draws():
    rng = np.random.default_rng(3)
    for size in (1, 2, 51, 3143):
        w = rng.random(size) * (rng.random(size) < 0.7)  # some zero weights
        w[-1] = 0.0 if size > 1 else w[-1] + 0.5
        for total in (w.sum(), w.sum() * (1 + 1e-15)):  # the second pushes some draws past the sum
            a, b = _weighted_picks(w, total, 20_000, size, False), _weighted_picks(w, total, 20_000, size, True)
            np.testing.assert_array_equal(a, b)
            assert (w[a] > 0).all()


def test_cache_folders_of_other_sources_are_pruned_after_a_week(tmp_path):
    import os
    import time

    from immsim._cache import _prune

    week = 7 * 86400
    current, recent, stale = (tmp_path / f"numba-{n}" for n in ("current", "recent", "stale"))
    for d in (current, recent, stale):
        (d / "engine").mkdir(parents=True)
    old = time.time() - week - 60
    os.utime(stale, (old, old))
    os.utime(current, (old, old))  # the folder in use is kept whatever its age
    _prune(tmp_path, current)
    assert current.exists() and recent.exists() and not stale.exists()


def test_the_cache_folder_is_ours_even_when_numba_was_imported_first(tmp_path):
    """Numba reads NUMBA_CACHE_DIR on import: immsim sets its config too, or kernels would cache beside the sources."""
    code = "import numba, os; import immsim; print(numba.config.CACHE_DIR); print(os.environ['NUMBA_CACHE_DIR'])"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | {"XDG_CACHE_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    config_dir, env_dir = out.stdout.split()
    assert config_dir == env_dir and config_dir.startswith(str(tmp_path / "immsim" / "numba-"))


def test_a_process_that_waited_for_the_compile_lock_loads_what_the_first_compiled(tmp_path, monkeypatch):
    """The first holder compiles (and may start a helper); one that waited finds the kernels marked and loads them."""
    import threading
    import time

    from immsim import _cache

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    _cache._marker.cache_clear()
    holding, seen = threading.Event(), []

    def first_process() -> None:
        with _cache.compiling() as compiles:
            seen.append(("first", compiles))
            holding.set()
            time.sleep(0.5)  # compiling, while the other waits for the lock
            _cache.mark_kernels_compiled()

    try:
        t = threading.Thread(target=first_process)
        t.start()
        holding.wait(10)
        with _cache.compiling() as compiles:  # flock: a second open file waits, even in the same process
            seen.append(("waited", compiles))
        t.join()
        assert seen == [("first", True), ("waited", False)]
        with _cache.compiling() as compiles:  # once marked, no lock at all
            assert compiles is False
    finally:
        _cache._marker.cache_clear()


def _row_total(a, i):
    s = 0.0
    for x in a[i]:  # a view of the row: counted, unless the array is unowned
        s += x
    return s


def _running_totals(a, out):
    a, out = unowned((a, out))
    s = 0.0
    for i in range(a.shape[0]):
        s += row_total(a, i)  # noqa: F821 (a compiled helper the test puts in this module's namespace)
        out[i] = s
    return s


def _compile_uncached(fn):
    """A ``jit`` function, not cached, so that its LLVM can be read."""
    return _WideDispatcher(py_func=fn, locals={}, targetoptions={"nopython": True, "no_cfunc_wrapper": True})


def test_reference_counts_of_unowned_arrays_compile_to_nothing(monkeypatch):
    """engine/refcounts.py: Numba's counting calls are inlined, and for unowned arrays fold away.

    Numba's own optimization leaves calls to ``NRT_decref`` here (its pruning cannot pair them all); if Numba's
    text form changes so that the counting functions are no longer found, the calls come back and this fails.
    """
    import re

    from immsim.engine import refcounts

    def counting_calls(inline: bool) -> int:
        monkeypatch.setattr(refcounts, "supported", lambda: inline)
        monkeypatch.setitem(globals(), "row_total", _compile_uncached(_row_total))  # compiled afresh each time
        kernel = _compile_uncached(_running_totals)
        out = np.zeros(3)
        assert kernel(np.arange(12.0).reshape(3, 4), out) == 66.0 and list(out) == [6.0, 28.0, 66.0]
        return len(re.findall(r"call void @NRT_(?:incref|decref)", kernel.inspect_llvm(kernel.signatures[0])))

    assert counting_calls(inline=False) > 0
    assert counting_calls(inline=True) == 0


def test_a_signal_during_a_held_block_is_delivered_when_it_ends_and_a_second_at_once():
    from immsim.engine.interrupts import signals_held

    reached = []
    with pytest.raises(KeyboardInterrupt), signals_held():
        os.kill(os.getpid(), signal.SIGINT)
        reached.append("after the first")  # held: the block goes on
    assert reached == ["after the first"]
    with pytest.raises(KeyboardInterrupt), signals_held():
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        reached.append("after the second")
    assert reached == ["after the first"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_held_signals_go_to_the_handler_installed_before_in_order():
    from immsim.engine.interrupts import signals_held

    got = []
    before = signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
    try:
        with signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)  # the second: both delivered at once, the first first
            assert got == [signal.SIGTERM]
            got.append("inside")
    except KeyboardInterrupt:
        got.append("interrupted")
    finally:
        signal.signal(signal.SIGTERM, before)
    assert got == [signal.SIGTERM, "interrupted"]


def test_ctrl_c_during_a_simulation_stops_it_with_keyboard_interrupt_not_a_crash():
    """Numba cannot take an exception while it converts a kernel's results: held, the signal waits for that.

    The child says when its decade is three years in (progress is reported between two kernel calls), and the
    signal goes at once: it lands in the next call, which takes about a tenth of a second. Before signals were
    held, this crashed the process (SIGSEGV).
    """
    code = (
        "import immsim\n"
        "immsim.simulate('us-2017', years=0.01, seed=1)\n"
        "said = []\n"
        "def progress(done, total):\n"
        "    if done >= 3 * 365 and not said:\n"
        "        said.append(print('deep', flush=True))\n"
        "immsim.simulate('us-2017', years=10, seed=1, progress=progress)\n"
        "print('not interrupted')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal, not ignored
    )
    assert proc.stdout.readline().strip() == "deep"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != -signal.SIGSEGV, err
    assert "not interrupted" not in out and err.rstrip().endswith("KeyboardInterrupt"), err[-2000:]
