"""Brand kits: the Brand page that lists, makes, edits and shares them."""
