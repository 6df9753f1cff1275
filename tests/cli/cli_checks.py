"""Checks shared by the command-line tests: how a refused command must look, and the batch
inputs they solve."""

from problems import save_system, shifted_laplacian_sequence


def assert_one_line_error(stderr, message):
    """``stderr`` is exactly one ``relax: error:`` line holding ``message``."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relax: error: "), stderr
    assert message in lines[0], stderr
    assert "Traceback" not in stderr and "Usage:" not in stderr


def assert_refused(result, message):
    """Exit status 2 and one line on stderr naming the problem, nothing on stdout: the
    command stopped before any work."""
    assert result.exit_code == 2, result.output
    assert_one_line_error(result.stderr, message)
    assert result.stdout == ""


def make_inputs(directory, count, seed=0):
    """``count`` shifted-Laplacian systems (their shift as context) as .npz files."""
    directory.mkdir(parents=True, exist_ok=True)
    for inst in shifted_laplacian_sequence(count, seed=seed):
        save_system(directory / f"sl_{inst.meta['index']:04d}.npz", inst.A, inst.b,
                    context=inst.context)
    return sorted(str(p) for p in directory.glob("*.npz"))


def run_killed_at_tell(monkeypatch, run, rows, kill_at=4):
    """Run ``run()`` (a batch) with its ``kill_at``-th tell interrupted, as a kill between a
    result's row and its tell would; check that the row was written, then run it again
    with the tuner intact and return that second result."""
    import tuner

    calls = {"n": 0}
    real_tell = tuner.Tuner.tell

    def dying_tell(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == kill_at:
            raise KeyboardInterrupt                     # stands in for a kill
        return real_tell(self, *a, **k)

    monkeypatch.setattr(tuner.Tuner, "tell", dying_tell)
    assert run().exit_code != 0
    assert len(rows()) == kill_at                       # the last row is written, untold
    monkeypatch.setattr(tuner.Tuner, "tell", real_tell)
    return run()
