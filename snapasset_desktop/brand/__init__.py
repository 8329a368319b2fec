"""Brand kits and text layers as data: what a kit holds, the fonts it can use, what a job asks.

`kit` (colours, fonts, logos, text styles), `fonts` (the faces SnapAsset ships and
designers' own), `layers` (a job's headline, subline, call to action and per-platform
positions) and `prompt` (the palette and mood as prompt wording). Kits are stored by
`library.kits` and drawn by `imaging.layers`.
"""
