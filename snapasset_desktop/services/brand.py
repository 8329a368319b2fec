"""BrandService: what the Brand page and `snapasset-desktop brand` do with kits.

List, create, change and delete kits; add the designer's fonts and logos from files;
export a kit as one `.snapkit` file and import one; the prompt suffix of a kit; and, for
rendering, the kit a job's layers name — SnapAsset's own look, with a note, when that
kit is not in this library (a job from another machine, a kit deleted since).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from snapasset_desktop.brand.fonts import MAX_FONT_BYTES, bundled_fonts
from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit, Palette, TextStyles
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.brand.prompt import prompt_suffix
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library import snapkit
from snapasset_desktop.library.files import atomic_write
from snapasset_desktop.library.kits import MAX_LOGO_BYTES, KitStore, checked_file
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.user_files import safe_read


class BrandService:
    def __init__(self, paths: AppPaths) -> None:
        self.store = KitStore(paths.brand_dir)

    def kits(self) -> list[BrandKit]:
        return self.store.list()

    def kit(self, ref: str) -> BrandKit:
        """A kit by id or name; SnapAsset's own look for its id, "default"."""
        if str(ref).strip().casefold() == DEFAULT_KIT.id:
            return DEFAULT_KIT
        return self.store.get(ref)

    def create(
        self,
        name: str,
        *,
        palette: Palette | None = None,
        styles: TextStyles | None = None,
        mood: str = "",
    ) -> BrandKit:
        fields: dict[str, Any] = {"mood": mood}
        if palette is not None:
            fields["palette"] = palette
        if styles is not None:
            fields["styles"] = styles
        return self.store.create(name, **fields)

    def update(
        self,
        ref: str,
        *,
        name: str | None = None,
        palette: Palette | None = None,
        styles: TextStyles | None = None,
        mood: str | None = None,
    ) -> BrandKit:
        changes = {
            key: value
            for key, value in (("name", name), ("palette", palette), ("styles", styles))
            if value is not None
        }
        if mood is not None:
            changes["mood"] = mood
        return self.store.save(self.store.get(ref).with_changes(**changes))

    def delete(self, ref: str) -> None:
        self.store.delete(ref)

    def add_font(self, ref: str, path: Path, name: str | None = None) -> BrandKit:
        """Add a TTF or OTF file; it is named by its family and style unless `name` says."""
        data = safe_read(path, MAX_FONT_BYTES, "a font file")
        named = name or checked_file("fonts", data, path.name)
        return self.store.add_file(ref, "fonts", data, path.name, named)

    def add_logo(self, ref: str, path: Path, name: str | None = None) -> BrandKit:
        """Add a PNG logo; the first logo of a kit is the one layers draw."""
        data = safe_read(path, MAX_LOGO_BYTES, "a logo")
        return self.store.add_file(ref, "logos", data, path.name, name or path.stem)

    def remove_font(self, ref: str, name: str) -> BrandKit:
        return self.store.remove_file(ref, "fonts", name)

    def remove_logo(self, ref: str, name: str) -> BrandKit:
        return self.store.remove_file(ref, "logos", name)

    def font_names(self, ref: str | None = None) -> list[str]:
        """The fonts a text style can use: the kit's own, then those SnapAsset ships."""
        own = [item.name for item in self.kit(ref).fonts] if ref else []
        shipped = [face.name for face in bundled_fonts().values() if not face.fallback]
        return list(dict.fromkeys([*own, *shipped]))

    def export(self, ref: str, path: Path, *, overwrite: bool = False) -> Path:
        """Write the kit as one `.snapkit` file at `path` (refusing to replace a file
        unless `overwrite`)."""
        kit = self.store.get(ref)
        target = path if path.suffix == snapkit.SUFFIX else path.with_name(path.name + ".snapkit")
        if target.exists() and not overwrite:
            raise InvalidInput(f"{target} already exists; choose another name or replace it.")
        atomic_write(target, snapkit.pack(kit))
        return target

    def import_file(
        self, path: Path, *, replace: bool = False, name: str | None = None
    ) -> BrandKit:
        """Add the kit in a `.snapkit` file to this library, as `name` if given; a kit of
        the same name is refused unless `replace`."""
        data = safe_read(path, snapkit.MAX_PACKAGE_BYTES, "a brand kit file")
        kit, files = snapkit.unpack(data)
        if name is not None:
            kit = kit.with_changes(name=name)
        return self.store.install(kit, files, replace=replace)

    def prompt_suffix(self, ref: str) -> str:
        """The kit's palette and mood as words for the prompt, for the designer to edit."""
        return prompt_suffix(self.kit(ref))

    def kit_for(self, layers: TextLayers) -> tuple[BrandKit, str | None]:
        """The kit `layers` are drawn in, and a note when it isn't the one they name."""
        return self.store.kit_for(layers)
