"""What every feature's widgets share: icons, styling, the desktop."""
