"""The garbage collector pause around batch jobs."""
import gc
from datetime import date

import pytest

from core.memory import collector_paused
from scoring import services


@pytest.fixture
def collector_state():
    was_enabled = gc.isenabled()
    yield
    gc.enable() if was_enabled else gc.disable()


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_inside_and_restored_as_it_was(collector_state, enabled_before):
    gc.enable() if enabled_before else gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() == enabled_before


def test_the_collector_resumes_when_the_job_fails(collector_state):
    gc.enable()
    with pytest.raises(RuntimeError):
        with collector_paused():
            raise RuntimeError("the job failed")
    assert gc.isenabled()


@pytest.fixture
def collector_seen(collector_state, monkeypatch):
    """`watch(module, name)` wraps that function so that each call notes whether the collector was
    running; the notes, in call order, are `watch.seen`. The collector runs when the test starts."""
    gc.enable()
    seen = []

    def watch(module, name):
        step = getattr(module, name)

        def watched(*args, **kwargs):
            seen.append(gc.isenabled())
            return step(*args, **kwargs)

        monkeypatch.setattr(module, name, watched)

    watch.seen = seen
    return watch


@pytest.mark.django_db
def test_a_recompute_scores_with_the_collector_paused_and_resumes_it(lakeside, collector_seen):
    collector_seen(services, "closeness_scores")
    services.recompute(as_of=date(2026, 6, 30))
    assert collector_seen.seen == [False]
    assert gc.isenabled()


@pytest.mark.django_db
def test_an_import_checks_and_writes_with_the_collector_paused_and_resumes_it(lakeside_dir, collector_seen):
    """36% of a dry run and 17% of an import from empty at a million attendance rows went to the
    collector rescanning the rows read (bench: `import_dataset`)."""
    from interchange import services as imports
    from interchange.reading import files_from_directory

    collector_seen(imports, "validate_dataset")
    collector_seen(imports, "_upsert_all")
    result = imports.dataset_import(files=files_from_directory(lakeside_dir / "data"))
    assert result.ok and collector_seen.seen == [False, False]
    assert gc.isenabled()


@pytest.mark.django_db
def test_a_settings_preview_scores_with_the_collector_paused_and_resumes_it(lakeside, collector_seen):
    from scoring.engine.parameters import ScoringParameters

    services.recompute(as_of=date(2026, 6, 30))
    collector_seen(services, "closeness_scores")
    assert services.settings_compared(ScoringParameters(half_life_days=200)) is not None
    assert collector_seen.seen == [False]
    assert gc.isenabled()


@pytest.mark.django_db
@pytest.mark.parametrize("asked", [{"checks": "ties"}, {"checks": "1"}])
def test_the_sources_checks_run_with_the_collector_paused_and_resume_it(lakeside, client_as, collector_seen, asked):
    from relationships import views

    collector_seen(views, "odd_relationships")
    response = client_as("analyst").get("/sources/", asked, headers={"HX-Request": "true"})
    assert response.status_code == 200 and collector_seen.seen == [False]
    assert gc.isenabled()
