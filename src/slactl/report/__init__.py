"""The monthly service review: view models, inline SVG charts, jinja rendering, archive and verification."""
