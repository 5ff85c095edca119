"""The charter demo: two published charters with two years of readings, loaded once and
safe to load again; its board report is drawn and rendered to PNG to be looked at."""

import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from charter.models import Charter, CharterAction, Evidence, Reading, Target
from charter.reports import board_report_pdf
from charter.selectors import charter_progress


@pytest.mark.django_db
def test_the_demo_loads_two_charters_with_two_years_of_progress_once(client, tmp_path):
    call_command("demo_charter", stdout=io.StringIO())
    call_command("demo_charter", stdout=io.StringIO())
    charters = list(Charter.objects.filter(published=True).select_related("organisation"))
    assert len(charters) == 2
    readings = Reading.objects.filter(measure__commitment__charter=charters[0])
    assert (
        readings.filter(measure__frequency="quarterly").values("period_end").distinct().count() >= 8
    )
    assert Target.objects.filter(measure__commitment__charter=charters[0]).exists()
    assert CharterAction.objects.filter(charter=charters[0]).exists()
    assert Evidence.objects.filter(charter=charters[0]).count() == 3

    both = [charter_progress(c.pk, today=timezone.localdate()) for c in charters]
    colours = {m.status.colour for p in both for c in p.commitments for m in c.measures}
    assert {"red", "green"} <= colours  # some on track, some behind
    met = {t.met for p in both for c in p.commitments for m in c.measures for t in m.targets}
    assert {"Met", "Missed"} <= met
    progress = max(both, key=lambda p: p.charter.organisation.name)
    assert progress.overdue_actions

    index = client.get("/charter/").content.decode()
    assert all(charter.organisation.name in index for charter in charters)
    page = client.get(f"/charter/{charters[0].organisation.slug}/")
    assert page.status_code == 200
    assert "Open and inclusive recruitment" in page.content.decode()

    data = board_report_pdf(progress)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Sharing good practice and co-producing services" in text
    assert "Panel members paid within 30 days" in text
    if shutil.which("pdftoppm"):
        (tmp_path / "board.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", str(tmp_path / "board.pdf"), str(tmp_path / "page")],
            check=True,
        )
        assert len(list(tmp_path.glob("page-*.png"))) >= 8
