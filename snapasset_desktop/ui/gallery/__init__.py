"""The gallery: the library as a grid of cards, its filters and thumbnails."""
