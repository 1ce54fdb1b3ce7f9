"""Find the fastest training set-up by measuring, one change at a time.

The search has six stages, and every measurement is kept for the report:

1. **article**: the source article's `fit(x, y)` with batch 32 (figure *a*);
2. **batch**: the `tf.data` pipeline at each candidate batch size; the fastest
   becomes the base;
3. **option**: each single change (XLA, mixed precision, thread pools, ...)
   applied alone to the base; a change *wins* when it beats the base by more
   than `margin`, *loses* when it is slower by more than that, and is
   *within noise* otherwise;
4. **combined**: all winning changes together, when there are two or more;
5. **rebatch**: the fastest set-up so far at the other batch sizes, when it
   differs from the base by an option (bfloat16, say, may like a larger batch
   than float32 did);
6. **recheck**: the article's set-up once more. If other programs started or
   stopped during the run, the two measurements differ, and the report says so.

The fastest set-up measured is the recommendation (figure *b*); figure *a* is
the faster of the article's two measurements, so that a busy machine cannot
inflate b/a. The measuring
function is passed in, so the search itself can be tested without training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.machine import load_average
from benchmarks.throughput import Throughput
from benchmarks.variants import ARTICLE, Variant

Measure = Callable[[Variant], Throughput]


@dataclass
class Trial:
    """One measured (or failed, or skipped) variant and what the search made of it.

    Attributes:
        variant: the set-up.
        stage: `"article"`, `"batch"`, `"option"`, `"combined"`, `"rebatch"`
            or `"recheck"`.
        option: the option's name in the `"option"` stage, else `None`.
        result: the measurement, or `None` if it failed or was skipped.
        error: why there is no result, else `None`.
        verdict: the search's reading, e.g. `"wins +12%"`, `"loses -30%"`, `"chosen (b)"`.
        load: the machine's 1-minute load average when the trial ended (the
            benchmark itself adds about one per busy core), or `None`.
    """

    variant: Variant
    stage: str
    option: str | None = None
    result: Throughput | None = None
    error: str | None = None
    verdict: str = ""
    load: float | None = None

    @property
    def rate(self) -> float | None:
        """Images per second, or `None` without a result."""
        return self.result.images_per_second if self.result else None

    def to_dict(self) -> dict:
        """Everything, for JSON."""
        return {
            "variant": self.variant.to_dict(),
            "stage": self.stage,
            "option": self.option,
            "result": self.result.to_dict() if self.result else None,
            "error": self.error,
            "verdict": self.verdict,
            "load": self.load,
        }


@dataclass
class SearchOutcome:
    """All trials in the order they ran, and which ones are figures a and b.

    Attributes:
        trials: every trial, in order.
        article: the faster measurement of the article's set-up (figure a).
        best: the fastest other set-up (figure b).
        drift: the recheck's rate over the first measurement's, minus 1
            (`None` if either failed); more than a few percent either way
            means the machine's load changed during the run.
    """

    trials: list[Trial] = field(default_factory=list)
    article: Trial | None = None
    best: Trial | None = None
    drift: float | None = None


def run_search(
    measure: Measure,
    *,
    batch_sizes: tuple[int, ...] = (128, 256, 512, 1024),
    options: dict[str, dict] | None = None,
    margin: float = 0.03,
    skip: Callable[[Variant], str | None] | None = None,
    log: Callable[[str], None] | None = None,
) -> SearchOutcome:
    """Measure the article's set-up, the batch sizes, each option, and the winners together.

    Args:
        measure: runs one variant and returns its `Throughput`; an exception
            marks the trial failed and the search goes on.
        batch_sizes: batch sizes tried with the `tf.data` pipeline, at least one.
            Defaults to `(128, 256, 512, 1024)`.
        options: option name -> `Variant` fields it changes, as
            `benchmarks.variants.option_changes` returns. Defaults to none.
        margin: the fraction by which an option must beat the base to win.
            Defaults to `0.03`.
        skip: returns a reason to skip a variant without measuring it, or
            `None` to measure it. Defaults to measuring everything.
        log: called with one line per finished trial. Defaults to silence.

    Returns:
        A `SearchOutcome`; `best` is the fastest trial other than the article's
        two (or the article's own if nothing else ran).

    Raises:
        ValueError: `batch_sizes` is empty or `margin` is negative.
    """
    if not batch_sizes:
        raise ValueError("batch_sizes must name at least one batch size. Received: ()")
    if margin < 0:
        raise ValueError(f"margin must be >= 0. Received: margin={margin}")
    outcome = SearchOutcome()

    def attempt(variant: Variant, stage: str, option: str | None = None) -> Trial:
        trial = Trial(variant, stage, option)
        reason = skip(variant) if skip else None
        if reason:
            trial.error, trial.verdict = reason, "skipped"
        else:
            try:
                trial.result = measure(variant)
            except Exception as exc:  # one broken set-up must not end the benchmark
                trial.error, trial.verdict = f"{type(exc).__name__}: {exc}", "failed"
        averages = load_average()
        trial.load = averages[0] if averages else None
        outcome.trials.append(trial)
        if log:
            rate = f"{trial.rate:,.0f} images/s" if trial.rate else trial.verdict
            if trial.result and not trial.result.complete:
                rate += " (stopped at the time limit: estimated)"
            load = f"  (load {trial.load:.1f})" if trial.load is not None else ""
            log(f"{stage:>8}  {variant.label:<48} {rate}{load}")
        return trial

    outcome.article = attempt(ARTICLE, "article")
    outcome.article.verdict = outcome.article.verdict or "baseline (a)"

    batch_trials = [
        attempt(Variant(batch_size=b, pipeline="tf.data"), "batch") for b in batch_sizes
    ]
    base = _fastest(batch_trials) or outcome.article
    for trial in batch_trials:
        if trial.rate:
            trial.verdict = "base" if trial is base else _relative("slower", trial, base)

    winners: list[tuple[float, dict]] = []
    for name, changes in (options or {}).items():
        variant = base.variant.replace(**changes)
        if variant == base.variant:
            continue  # e.g. "numpy" when the base already feeds arrays
        trial = attempt(variant, "option", name)
        if trial.rate and base.rate:
            gain = trial.rate / base.rate - 1
            word = "wins" if gain > margin else "within noise" if gain > -margin else "loses"
            trial.verdict = _relative(word, trial, base)
            if gain > margin:
                winners.append((gain, changes))

    if len(winners) >= 2:
        merged: dict = {}
        for _, changes in sorted(winners, key=lambda pair: pair[0]):
            merged.update(changes)  # on a clash, the bigger gain is applied last
        combined = attempt(base.variant.replace(**merged), "combined")
        if combined.rate and base.rate:
            combined.verdict = _relative("together", combined, base)

    leader = _fastest(_candidates(outcome.trials))
    if leader is not None and leader.stage in ("option", "combined"):
        for size in batch_sizes:
            if size != leader.variant.batch_size:
                trial = attempt(leader.variant.replace(batch_size=size), "rebatch")
                if trial.rate:
                    trial.verdict = _relative("vs leader", trial, leader)

    first = outcome.article
    again = attempt(ARTICLE, "recheck")
    if first.rate and again.rate:
        outcome.drift = again.rate / first.rate - 1
        again.verdict = _relative("drift", again, first)
        if again.rate > first.rate:
            first.verdict, outcome.article = "baseline", again
            again.verdict += "; baseline (a)"
    elif again.rate:  # the first measurement failed
        outcome.article, again.verdict = again, "baseline (a)"

    outcome.best = _fastest(_candidates(outcome.trials)) or outcome.article
    outcome.best.verdict = (outcome.best.verdict + "; chosen (b)").lstrip("; ")
    for trial in outcome.trials:
        if trial.result and not trial.result.complete:
            trial.verdict += "; estimated (time limit)"
    return outcome


def _candidates(trials: list[Trial]) -> list[Trial]:
    return [trial for trial in trials if trial.stage not in ("article", "recheck")]


def _fastest(trials: list[Trial]) -> Trial | None:
    measured = [trial for trial in trials if trial.rate]
    return max(measured, key=lambda trial: trial.rate) if measured else None


def _relative(word: str, trial: Trial, base: Trial) -> str:
    return f"{word} {trial.rate / base.rate - 1:+.0%}"
