"""What every PDF the platform makes shares: the NHS.UK colours and one font pair that
prints names as written. Each app's ``reports.py`` builds its own documents on these."""

from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NHS_BLUE = colors.HexColor("#005eb8")
NHS_TEXT = colors.HexColor("#212b32")
NHS_SECONDARY_TEXT = colors.HexColor("#4c6272")
NHS_GREY = colors.HexColor("#d8dde0")

# DejaVu (where the system has it) covers far more alphabets than reportlab's own Vera, so
# names such as Łukasz or Zoë print as written; Vera ships with reportlab, so there is
# always a font that has the pound sign.
_FONT_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
        Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf",
    ),
]


@cache
def fonts() -> tuple[str, str]:
    """Register the first available font pair once; returns (regular, bold) names."""
    for regular, bold in _FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("LEP-Regular", str(regular)))
            pdfmetrics.registerFont(TTFont("LEP-Bold", str(bold)))
            return "LEP-Regular", "LEP-Bold"
    return "Helvetica", "Helvetica-Bold"  # pragma: no cover - reportlab always has Vera
