"""Style presets: a look applied as prompt wording.

The image API's `style` parameter is retired (GPT image models ignore it), so
a preset is a sentence appended to the designer's prompt when the request is
sent. The job keeps the designer's own prompt; the preset's name travels in
the job's params, so a re-run applies the same wording.
"""

from __future__ import annotations

from snapasset_desktop.errors import InvalidInput

STYLE_PRESETS: dict[str, str] = {
    "none": "",
    "vivid": (
        "Style: vivid and high-impact — saturated, punchy colours, strong contrast, "
        "dramatic lighting with bold highlights and deep shadows, crisp detail, "
        "an eye-catching composition that reads well at thumbnail size."
    ),
    "natural": (
        "Style: natural and true to life — realistic, balanced colours, soft diffuse "
        "daylight, gentle contrast, believable textures and materials, no heavy "
        "filters or exaggerated effects."
    ),
    "photographic": (
        "Style: professional photograph — shot on a full-frame camera with a 50mm lens, "
        "shallow depth of field, accurate exposure, natural skin tones and materials, "
        "subtle film grain, editorial-quality lighting and composition."
    ),
    "illustration": (
        "Style: polished digital illustration — clean confident linework, flat and "
        "gently shaded colour areas, a limited harmonious palette, simplified shapes "
        "and clear visual hierarchy, like a modern editorial or brand illustration."
    ),
}


def check_style(style: str | None) -> str | None:
    """The preset name to keep (None for no style), or InvalidInput listing the choices."""
    if style is None:
        return None
    name = str(style).strip().lower()
    if name in ("", "none"):
        return None
    if name not in STYLE_PRESETS:
        choices = ", ".join(STYLE_PRESETS)
        raise InvalidInput(f"“{style}” isn't a style SnapAsset knows; choose {choices}.")
    return name


def apply_style(prompt: str, style: str | None) -> str:
    """The prompt as sent: the designer's words, then the preset's wording (if any)."""
    wording = STYLE_PRESETS.get(check_style(style) or "none", "")
    return f"{prompt.rstrip()}\n\n{wording}" if wording else prompt
